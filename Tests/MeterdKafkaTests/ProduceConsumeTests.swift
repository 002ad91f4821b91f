import MeterdKafka
import Synchronization
import Testing

@Suite("Produce and consume on the embedded broker", .serialized, .timeLimit(.minutes(2)))
struct ProduceConsumeTests {
    @Test("deliveries: a success is counted, a failure keeps its error, onDelivery sees both reports")
    func deliveryOutcomes() throws {
        final class Reports: Sendable {
            let seen = Mutex<[DeliveryReport]>([])
        }
        let reports = Reports()
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let topic = KafkaTestSupport.uniqueName("deliveries")
        try broker.createTopic(topic, partitions: 1)
        let noRetries = ["enable.idempotence": "false", "message.send.max.retries": "0"]
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrap: broker.bootstrap, noRetries), logger: KafkaTestSupport.quietLogger,
            onDelivery: { report in reports.seen.withLock { $0.append(report) } }
        )
        let silent = try KafkaTestSupport.producer(broker, noRetries)
        for client in [producer, silent] {
            try client.send(OutgoingRecord(topic: topic, partition: 0, value: [0]))
            try client.flush(timeoutMillis: 10_000)
            broker.failNextRequests(.produce, count: 1, with: .notEnoughReplicas)
            try client.send(OutgoingRecord(topic: topic, partition: 0, value: [1]))
            try client.flush(timeoutMillis: 10_000)
            let deliveries = client.deliveries
            #expect(deliveries.delivered == 1)
            #expect(deliveries.failed == 1)
            #expect(deliveries.firstError?.name == "NOT_ENOUGH_REPLICAS")
        }
        let seen = reports.seen.withLock { $0 }
        #expect(seen.count == 2)
        #expect(seen.first?.succeeded == true && seen.first?.topic == topic && seen.first?.offset == 0)
        #expect(seen.last?.succeeded == false && seen.last?.offset == nil)
    }

    @Test("records round-trip with keys, headers, null values and timestamps")
    func roundTrip() throws {
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let topic = KafkaTestSupport.uniqueName("roundtrip")
        try broker.createTopic(topic, partitions: 3)
        let producer = try KafkaTestSupport.producer(broker)
        for i in 0..<30 {
            try producer.send(OutgoingRecord(
                topic: topic,
                key: KafkaTestSupport.bytes("key-\(i % 5)"),
                value: i == 7 ? nil : KafkaTestSupport.bytes("value-\(i)"),
                headers: [KafkaHeader(key: "h", string: "\(i)"), KafkaHeader(key: "empty", value: nil)],
                timestampMillis: 1_700_000_000_000 + Int64(i)
            ))
        }
        try producer.flush(timeoutMillis: 10_000)
        #expect(producer.deliveries.delivered == 30)
        #expect(producer.deliveries.failed == 0)

        let consumer = try KafkaTestSupport.consumer(broker, group: KafkaTestSupport.uniqueName("g"))
        try consumer.subscribe([topic])
        let records = KafkaTestSupport.consume(consumer, count: 30)
        try consumer.close()
        #expect(records.count == 30)
        let byHeader = Dictionary(uniqueKeysWithValues: records.map { (Int($0.header("h")?.stringValue ?? "") ?? -1, $0) })
        for i in 0..<30 {
            let record = try #require(byHeader[i])
            #expect(KafkaTestSupport.text(record.key) == "key-\(i % 5)")
            #expect(KafkaTestSupport.text(record.value) == (i == 7 ? nil : "value-\(i)"))
            #expect(record.timestampMillis == 1_700_000_000_000 + Int64(i))
            #expect(record.header("empty") == KafkaHeader(key: "empty", value: nil))
        }
        // Same key, same partition (murmur2 partitioner), in order.
        let partitionsOfKey0 = Set(records.filter { KafkaTestSupport.text($0.key) == "key-0" }.map(\.partition))
        #expect(partitionsOfKey0.count == 1)
    }

    @Test("seek, position, pause, resume and committed offsets")
    func positionsAndCommits() throws {
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let topic = KafkaTestSupport.uniqueName("seek")
        try broker.createTopic(topic, partitions: 1)
        let producer = try KafkaTestSupport.producer(broker)
        for i in 0..<10 { try producer.send(OutgoingRecord(topic: topic, partition: 0, value: KafkaTestSupport.bytes("\(i)"))) }
        try producer.flush(timeoutMillis: 10_000)

        let group = KafkaTestSupport.uniqueName("g")
        let consumer = try KafkaTestSupport.consumer(broker, group: group)
        let tp = TopicPartition(topic, 0)
        try consumer.assign([tp: 4])
        let first = KafkaTestSupport.consume(consumer, count: 6)
        #expect(first.map(\.offset) == Array(4...9))
        #expect(try consumer.position([tp])[tp] == 10)

        try consumer.seek([tp: 2], timeoutMillis: 5_000)
        #expect(KafkaTestSupport.consume(consumer, count: 1).first?.offset == 2)

        try consumer.pause([tp])
        #expect(KafkaTestSupport.drain(consumer, durationMillis: 300).isEmpty)
        try consumer.resume([tp])
        #expect(KafkaTestSupport.consume(consumer, count: 1).first?.offset == 3)

        try consumer.commit([tp: 8])
        #expect(try consumer.committed([tp], timeoutMillis: 5_000)[tp] == 8)
        let marks = try consumer.watermarks(tp, timeoutMillis: 5_000)
        #expect(marks.low == 0 && marks.high == 10)
        try consumer.close()
    }

    @Test("offsets for times find the first record at or after a time")
    func offsetsForTimes() throws {
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let topic = KafkaTestSupport.uniqueName("times")
        try broker.createTopic(topic, partitions: 1)
        let producer = try KafkaTestSupport.producer(broker)
        for i in 0..<10 {
            try producer.send(OutgoingRecord(topic: topic, partition: 0, value: [UInt8(i)], timestampMillis: 1_000_000 + Int64(i) * 1_000))
        }
        try producer.flush(timeoutMillis: 10_000)
        let consumer = try KafkaTestSupport.consumer(broker, group: nil)
        let tp = TopicPartition(topic, 0)
        let offsets = try consumer.offsetsForTimes([tp: 1_004_500], timeoutMillis: 5_000)
        #expect(offsets[tp] == 5)
        let beforeAll = try consumer.offsetsForTimes([tp: 0], timeoutMillis: 5_000)
        #expect(beforeAll[tp] == 0)
        let afterAll = try consumer.offsetsForTimes([tp: 2_000_000], timeoutMillis: 5_000)
        #expect(afterAll[tp] == 10, "no record that recent: the end offset")
    }

    @Test("an unknown librdkafka property fails with librdkafka's message")
    func badProperty() {
        #expect {
            _ = try KafkaProducer(configuration: KafkaConfiguration(["no.such.property": "1"]), logger: KafkaTestSupport.quietLogger)
        } throws: { error in
            (error as? KafkaError)?.message.contains("no.such.property") == true
        }
    }

    @Test("secret properties never appear in the configuration's description")
    func secretsRedacted() {
        let configuration = KafkaConfiguration(bootstrap: "b:9092", ["sasl.password": "hunter2", "ssl.key.password": "s3cret", "sasl.username": "svc"])
        #expect(!configuration.description.contains("hunter2"))
        #expect(!configuration.description.contains("s3cret"))
        #expect(configuration.description.contains("sasl.username=svc"))
        #expect(configuration.description.contains("sasl.password=[redacted]"))
    }

    @Test("consumers get the shared kafka block without producer-only properties, so librdkafka does not warn")
    func consumerViewDropsProducerProperties() throws {
        let shared = KafkaConfiguration(bootstrap: "127.0.0.1:1", ["compression.type": "lz4", "linger.ms": "5", "acks": "all", "client.id": "m", "sasl.username": "svc"])
        let consumer = shared.forConsumer
        #expect(consumer["compression.type"] == nil && consumer["linger.ms"] == nil && consumer["acks"] == nil)
        #expect(consumer["client.id"] == "m" && consumer["sasl.username"] == "svc" && consumer["bootstrap.servers"] == "127.0.0.1:1")
        #expect(shared.manualReader(isolationLevel: "read_committed")["compression.type"] == nil)
    }
}

@Suite("Batch consumption", .serialized, .timeLimit(.minutes(1)))
struct BatchConsumeTests {
    @Test("consumeBatch lends records without copying and matches poll's view of them")
    func batchMatchesPoll() throws {
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let topic = KafkaTestSupport.uniqueName("batch")
        try broker.createTopic(topic, partitions: 2)
        let producer = try KafkaTestSupport.producer(broker)
        for i in 0..<500 {
            try producer.send(OutgoingRecord(topic: topic, key: KafkaTestSupport.bytes("k\(i)"), value: KafkaTestSupport.bytes("v\(i)"),
                                             headers: [KafkaHeader(key: "i", string: "\(i)")], timestampMillis: 1_000 + Int64(i)))
        }
        try producer.flush(timeoutMillis: 10_000)
        let consumer = try KafkaTestSupport.consumer(broker, group: nil, ["enable.partition.eof": "true"])
        try consumer.assign([TopicPartition(topic, 0): KafkaOffset.beginning, TopicPartition(topic, 1): KafkaOffset.beginning])
        var seen: [String: ConsumedRecord] = [:]
        var endsOfPartition = 0
        let deadline = ContinuousClock.now + .seconds(15)
        while (seen.count < 500 || endsOfPartition < 2), ContinuousClock.now < deadline {
            consumer.consumeBatch(maxRecords: 64, timeoutMillis: 100, onRecord: { record in
                let valueLength = record.withValue { $0?.count ?? -1 }
                #expect(valueLength == record.value?.count)
                seen[KafkaTestSupport.text(record.value) ?? ""] = record.owned
            }, onEvent: { notice in
                if case .endOfPartition = notice { endsOfPartition += 1 }
            })
        }
        #expect(seen.count == 500)
        #expect(endsOfPartition >= 2)
        for i in [0, 7, 499] {
            let record = try #require(seen["v\(i)"])
            #expect(record.topic == topic)
            #expect(KafkaTestSupport.text(record.key) == "k\(i)")
            #expect(record.header("i")?.stringValue == "\(i)")
            #expect(record.timestampMillis == 1_000 + Int64(i))
        }
    }
}
