import Foundation
import MeterdKafka
import Testing

/// Bootstrap of a real Apache Kafka for the tests that the embedded broker cannot serve.
let realKafkaBootstrap = ProcessInfo.processInfo.environment["METERD_TEST_KAFKA_BOOTSTRAP"]

@Suite("Consumer groups and admin on the embedded broker", .serialized, .timeLimit(.minutes(2)))
struct GroupAndAdminTests {
    @Test("two consumers of one group split the partitions and rebalance when one leaves")
    func rebalance() throws {
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let topic = KafkaTestSupport.uniqueName("split")
        try broker.createTopic(topic, partitions: 4)
        let group = KafkaTestSupport.uniqueName("g")
        let firstListener = RecordingListener()
        let secondListener = RecordingListener()
        let first = try KafkaTestSupport.consumer(broker, group: group, listener: firstListener, ["session.timeout.ms": "6000"])
        let second = try KafkaTestSupport.consumer(broker, group: group, listener: secondListener, ["session.timeout.ms": "6000"])
        try first.subscribe([topic])
        try second.subscribe([topic])

        let all = (0..<4).map { TopicPartition(topic, Int32($0)) }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, !(firstListener.assigned.count == 2 && secondListener.assigned.count == 2) {
            _ = first.poll(timeoutMillis: 50)
            _ = second.poll(timeoutMillis: 50)
        }
        #expect(firstListener.assigned.count == 2)
        #expect(secondListener.assigned.count == 2)
        #expect(Set(firstListener.assigned).isDisjoint(with: secondListener.assigned))
        #expect((firstListener.assigned + secondListener.assigned).sorted() == all)
        #expect(try first.assignment() == firstListener.assigned)
        #expect(!first.memberId.isEmpty)

        try second.close()
        #expect(secondListener.assigned.isEmpty, "close revokes through the listener")
        let rejoinDeadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < rejoinDeadline, firstListener.assigned.count < 4 {
            _ = first.poll(timeoutMillis: 50)
        }
        #expect(firstListener.assigned == all)
        #expect(firstListener.revokedCount >= 1)
        try first.close()
    }

    @Test("a rebalance listener chooses where assigned partitions start")
    func listenerStartOffsets() throws {
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let topic = KafkaTestSupport.uniqueName("start")
        try broker.createTopic(topic, partitions: 1)
        let producer = try KafkaTestSupport.producer(broker)
        for i in 0..<10 { try producer.send(OutgoingRecord(topic: topic, value: [UInt8(i)])) }
        try producer.flush(timeoutMillis: 10_000)
        let listener = RecordingListener()
        listener.startOffsets = [TopicPartition(topic, 0): 6]
        let consumer = try KafkaTestSupport.consumer(broker, group: KafkaTestSupport.uniqueName("g"), listener: listener)
        try consumer.subscribe([topic])
        #expect(KafkaTestSupport.consume(consumer, count: 4).map(\.offset) == [6, 7, 8, 9])
        try consumer.close()
    }

    @Test("group offsets can be listed and altered through the admin API")
    func groupOffsets() throws {
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let topic = KafkaTestSupport.uniqueName("offsets")
        try broker.createTopic(topic, partitions: 2)
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrap: broker.bootstrap), logger: KafkaTestSupport.quietLogger)
        let group = KafkaTestSupport.uniqueName("g")
        let targets = [TopicPartition(topic, 0): Int64(5), TopicPartition(topic, 1): 7]
        try admin.alterConsumerGroupOffsets(group, offsets: targets)
        #expect(try admin.listConsumerGroupOffsets(group, partitions: Array(targets.keys)) == targets)
        #expect(try admin.topicPartitionCounts()[topic] == 2)
    }

    @Test("topic creation with cleanup.policy=compact, or a plain refusal from the embedded broker")
    func createCompactedTopic() throws {
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrap: broker.bootstrap), logger: KafkaTestSupport.quietLogger)
        let topic = NewTopic(name: KafkaTestSupport.uniqueName("changelog"), partitions: 3, configs: ["cleanup.policy": "compact"])
        let started = ContinuousClock.now
        // The mock cluster has no CreateTopics handler (SPEC section 6): the
        // call must fail at once and say so, not hang.
        #expect {
            _ = try admin.createTopics([topic], timeoutMillis: 5_000)
        } throws: { error in
            (error as? KafkaError)?.name == "_UNSUPPORTED_FEATURE"
        }
        #expect(ContinuousClock.now - started < .seconds(3))
        try broker.createTopic(topic.name, partitions: topic.partitions)
        #expect(try admin.topicPartitionCounts()[topic.name] == 3)
    }

    /// Runs only when `METERD_TEST_KAFKA_BOOTSTRAP` names a real Apache Kafka
    /// (e.g. the docker-compose one): creates a compacted topic and reads
    /// its config back.
    @Test(
        "against Apache Kafka, a topic is created with cleanup.policy=compact",
        .enabled(if: realKafkaBootstrap != nil, "set METERD_TEST_KAFKA_BOOTSTRAP to a real Kafka to run")
    )
    func createCompactedTopicOnRealKafka() throws {
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrap: realKafkaBootstrap ?? ""), logger: KafkaTestSupport.quietLogger)
        let name = "meterd-test-\(KafkaTestSupport.uniqueName("compact"))-\(ContinuousClock.now.hashValue & 0xFFFF)"
        let failures = try admin.createTopics([NewTopic(name: name, partitions: 3, configs: ["cleanup.policy": "compact"])])
        #expect(failures.isEmpty)
        #expect(try admin.describeTopicConfig(name)["cleanup.policy"] == "compact")
        #expect(try admin.topicPartitionCounts()[name] == 3)
    }

    @Test("describing groups on the embedded broker fails plainly instead of hanging")
    func describeGroupsUnsupported() throws {
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrap: broker.bootstrap), logger: KafkaTestSupport.quietLogger)
        let started = ContinuousClock.now
        #expect(throws: KafkaError.self) { _ = try admin.describeConsumerGroups(["nobody"], timeoutMillis: 5_000) }
        #expect(ContinuousClock.now - started < .seconds(3))
    }
}
