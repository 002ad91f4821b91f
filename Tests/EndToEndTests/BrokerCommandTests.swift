import Foundation
import Logging
import MeterdKafka
import Testing

@Suite("meterd broker as a process", .serialized, .timeLimit(.minutes(2)))
struct BrokerCommandTests {
    private var quietLogger: Logger {
        var logger = Logger(label: "meterd.test")
        logger.logLevel = .critical
        return logger
    }

    @Test("prints its bootstrap first, serves produce and consume, exits 0 on SIGTERM")
    func brokerProcessLifecycle() async throws {
        let broker = try MeterdProcess(["broker", "--topics", "e2e.extra:2,e2e.more:1"])
        let bootstrap = try await broker.waitForLines(1)[0]
        #expect(bootstrap.hasPrefix("127.0.0.1:"))

        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrap: bootstrap), logger: quietLogger)
        let counts = try admin.topicPartitionCounts()
        #expect(counts["e2e.extra"] == 2)
        #expect(counts["e2e.more"] == 1)
        #expect(counts["gateway.usage"] == 6, "topics/ definitions are created")
        #expect(counts["meterd-changelog"] == 6, "internal topics of the default appId are created")
        #expect(counts["usage.rollups"] != nil && counts["usage.quota"] != nil && counts["usage.dlq"] != nil)
        #expect(admin.isEmbeddedBroker())

        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrap: bootstrap), logger: quietLogger)
        for i in 0..<20 {
            try producer.send(OutgoingRecord(topic: "e2e.extra", key: Array("k\(i)".utf8), value: Array("v\(i)".utf8)))
        }
        try producer.flush(timeoutMillis: 10_000)
        #expect(producer.deliveries.delivered == 20)

        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(bootstrap: bootstrap, ["group.id": "e2e-broker", "auto.offset.reset": "earliest"]),
            logger: quietLogger
        )
        try consumer.assign([TopicPartition("e2e.extra", 0): KafkaOffset.beginning, TopicPartition("e2e.extra", 1): KafkaOffset.beginning])
        var values: Set<String> = []
        let deadline = ContinuousClock.now + .seconds(15)
        while values.count < 20, ContinuousClock.now < deadline {
            if case .record(let record)? = consumer.poll(timeoutMillis: 100), let value = record.value {
                values.insert(String(decoding: value, as: UTF8.self))
            }
        }
        #expect(values == Set((0..<20).map { "v\($0)" }))

        let status = try await broker.stop(signal: SIGTERM)
        #expect(status == 0)
    }

    @Test("rejects a malformed --topics spec with a usage error")
    func badTopicSpec() async throws {
        let broker = try MeterdProcess(["broker", "--topics", "nopartitions"])
        let status = try await broker.waitForExit(timeout: .seconds(10))
        #expect(status != 0)
        #expect(broker.stderr.contains("name:partitions"))
    }
}
