@testable import MeterdKafka
import Testing

/// Consumed records read "no headers" from the byte after their value
/// instead of asking librdkafka (`KafkaConsumer.hasNoHeaders`, and
/// `zeroFollowsValue`, which lets stage 1 parse the value in place): every mix of
/// headers, values, empty values and tombstones must still read back exactly
/// as produced, in compressed and uncompressed batches.
@Suite("Header peek", .serialized, .timeLimit(.minutes(1)))
struct HeaderPeekTests {
    /// Record `i`'s value and headers: a third without headers, a third with
    /// one or two (one of them null-valued), some empty values and tombstones,
    /// values of many lengths.
    static func record(_ i: Int) -> (value: [UInt8]?, headers: [KafkaHeader]) {
        let value: [UInt8]? = i % 17 == 5 ? nil : i % 13 == 3 ? [] : Array(repeating: UInt8(ascii: "a") + UInt8(i % 26), count: i % 300 + 1)
        switch i % 3 {
        case 0: return (value, [])
        case 1: return (value, [KafkaHeader(key: "ce_id", string: "id-\(i)")])
        default: return (value, [KafkaHeader(key: "n", value: nil), KafkaHeader(key: "ce_type", string: String(repeating: "t", count: i % 40))])
        }
    }

    @Test("headers read back exactly, and the peek answers for header-less records", arguments: ["none", "lz4"])
    func headersRoundTrip(compression: String) throws {
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let topic = KafkaTestSupport.uniqueName("peek")
        try broker.createTopic(topic, partitions: 1)
        let producer = try KafkaTestSupport.producer(broker, ["compression.type": compression, "linger.ms": "50"])
        let count = 3_000
        for i in 0..<count {
            let (value, headers) = Self.record(i)
            try producer.send(OutgoingRecord(topic: topic, partition: 0, key: KafkaTestSupport.bytes("\(i)"), value: value, headers: headers))
        }
        try producer.flush(timeoutMillis: 10_000)
        let consumer = try KafkaTestSupport.consumer(broker, group: nil)
        try consumer.assign([TopicPartition(topic, 0): KafkaOffset.beginning])
        var seen = 0
        var peeked = 0
        var headerless = 0
        var zeroFollowed = 0
        let deadline = ContinuousClock.now + .seconds(20)
        while seen < count, ContinuousClock.now < deadline {
            consumer.consumeBatch(maxRecords: 500, timeoutMillis: 100, onRecord: { record in
                let i = Int(record.offset)
                let expected = Self.record(i)
                #expect(record.headers == expected.headers, "record \(i)")
                #expect(record.value == expected.value, "record \(i)")
                if expected.headers.isEmpty {
                    headerless += 1
                    if KafkaConsumer.hasNoHeaders(record.message) { peeked += 1 }
                    if record.zeroFollowsValue(readable: 32) { zeroFollowed += 1 }
                } else {
                    #expect(!KafkaConsumer.hasNoHeaders(record.message), "record \(i) has headers")
                    let zeroFollows = record.zeroFollowsValue(readable: 32)
                    #expect(!zeroFollows, "record \(i) has headers")
                }
                seen += 1
            }, onEvent: { _ in })
        }
        #expect(seen == count)
        // Tombstones, empty values and a value ending at a page boundary ask librdkafka.
        #expect(peeked > headerless * 8 / 10, "peeked \(peeked) of \(headerless) header-less records")
        #expect(zeroFollowed > headerless * 8 / 10 && zeroFollowed <= peeked, "\(zeroFollowed) of \(headerless) header-less records")
        // poll's owned records take the same path.
        try consumer.assign([TopicPartition(topic, 0): KafkaOffset.beginning])
        for record in KafkaTestSupport.consume(consumer, count: 200) {
            #expect(record.headers == Self.record(Int(record.offset)).headers, "polled record \(record.offset)")
        }
    }
}
