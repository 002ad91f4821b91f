import MeterdKafka
import Testing

@Suite("KafkaPartitioner agrees with the producer's murmur2 partitioner", .serialized, .timeLimit(.minutes(2)))
struct KafkaPartitionerTests {
    @Test("records sent by key land where KafkaPartitioner.murmur2 says")
    func agreesWithProducer() throws {
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let topic = KafkaTestSupport.uniqueName("murmur")
        try broker.createTopic(topic, partitions: 7)
        let producer = try KafkaTestSupport.producer(broker, ["partitioner": "murmur2_random"])
        let keys = (0..<60).map { "customer-\($0)" } + ["acme", "globex", "é", String(repeating: "x", count: 300)]
        for key in keys {
            try producer.send(OutgoingRecord(topic: topic, key: Array(key.utf8), value: KafkaTestSupport.bytes(key)))
        }
        try producer.flush(timeoutMillis: 10_000)
        let consumer = try KafkaTestSupport.consumer(broker, group: nil)
        try consumer.assign(Dictionary(uniqueKeysWithValues: (0..<7).map { (TopicPartition(topic, $0), KafkaOffset.beginning) }))
        let records = KafkaTestSupport.consume(consumer, count: keys.count)
        #expect(records.count == keys.count)
        for record in records {
            let key = record.key ?? []
            #expect(record.partition == KafkaPartitioner.murmur2(key: key, partitionCount: 7), "key \(String(decoding: key, as: UTF8.self))")
        }
        #expect(Set(records.map(\.partition)).count > 3, "keys spread over the partitions")
    }

    @Test("Java's murmur2 reference values")
    func referenceValues() {
        // Kafka's Java client: Utils.toPositive(Utils.murmur2("21".getBytes())) % n etc.
        #expect(KafkaPartitioner.murmur2(key: Array("21".utf8), partitionCount: 1_000_000) == Int32((-973932308 & 0x7fffffff) % 1_000_000))
        #expect(KafkaPartitioner.murmur2(key: Array("foobar".utf8), partitionCount: 1_000_000) == Int32((-790332482 & 0x7fffffff) % 1_000_000))
    }
}
