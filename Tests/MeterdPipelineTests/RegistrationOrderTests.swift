import MeterdKafka
import Testing
@testable import MeterdPipeline

@Suite struct RegistrationOrderTests {
    private func record(_ topic: String, _ partition: Int32?, key: String? = nil, _ value: String) -> OutgoingRecord {
        OutgoingRecord(topic: topic, partition: partition, key: key.map { Array($0.utf8) }, value: Array(value.utf8))
    }

    private func values(_ records: [OutgoingRecord]) -> [String] {
        records.map { String(decoding: $0.value ?? [], as: UTF8.self) }
    }

    /// The burst as `RegistrationOrder.order(of:)` orders it.
    private func ordered(_ burst: [OutgoingRecord], destination: (OutgoingRecord) -> TopicPartition?) -> [OutgoingRecord] {
        let order = RegistrationOrder.order(of: burst, destination: destination)
        #expect(order.sorted() == Array(burst.indices), "every record exactly once")
        return order.map { burst[$0] }
    }

    private func explicitPartition(_ record: OutgoingRecord) -> TopicPartition? {
        record.partition.map { TopicPartition(record.topic, $0) }
    }

    @Test func firstRecordOfEachPartitionLeadsAndPartitionOrderIsKept() {
        let burst = [
            record("rollups", 0, "r0a"), record("rollups", 0, "r0b"), record("rollups", 1, "r1a"),
            record("changelog", 2, "c2a"), record("rollups", 1, "r1b"), record("changelog", 2, "c2b"),
            record("changelog", 4, "c4a"), record("rollups", 0, "r0c"),
        ]
        let ordered = ordered(burst, destination: explicitPartition)
        #expect(values(ordered) == ["r0a", "r1a", "c2a", "c4a", "r0b", "r1b", "c2b", "r0c"])
        // Per partition, the order is the input's.
        for destination in Set(burst.compactMap(explicitPartition)) {
            let before = values(burst.filter { explicitPartition($0) == destination })
            let after = values(ordered.filter { explicitPartition($0) == destination })
            #expect(before == after)
        }
        #expect(ordered.count == burst.count)
    }

    @Test func recordsWithoutDestinationStayInTheBulkInOrder() {
        let burst = [record("dlq", nil, "d1"), record("rollups", 3, "r3a"), record("dlq", nil, "d2"), record("rollups", 3, "r3b")]
        let ordered = ordered(burst, destination: explicitPartition)
        #expect(values(ordered) == ["r3a", "d1", "d2", "r3b"])
    }

    @Test func burstsThatNeedNoReorderingComeBackUnchanged() {
        let single = [record("a", 0, "x")]
        #expect(values(ordered(single, destination: explicitPartition)) == ["x"])
        let distinct = [record("a", 0, "x"), record("a", 1, "y"), record("b", 0, "z")]
        #expect(values(ordered(distinct, destination: explicitPartition)) == ["x", "y", "z"])
        #expect(ordered([], destination: explicitPartition).isEmpty)
    }

    @Test func keyedRecordsLandWhereTheMurmur2PartitionerPutsThem() {
        let counts: [String: Int32] = ["usage.rollups": 6]
        let keyed = record("usage.rollups", nil, key: "acme/api_requests/1735689600000", "v")
        let expected = KafkaPartitioner.murmur2(key: Array("acme/api_requests/1735689600000".utf8), partitionCount: 6)
        #expect(RegistrationOrder.destination(of: keyed, partitionCounts: counts) == TopicPartition("usage.rollups", expected))
        // An explicit partition wins; unknown topics and keyless records have none.
        #expect(RegistrationOrder.destination(of: record("usage.rollups", 5, key: "k", "v"), partitionCounts: counts)?.partition == 5)
        #expect(RegistrationOrder.destination(of: record("other", nil, key: "k", "v"), partitionCounts: counts) == nil)
        #expect(RegistrationOrder.destination(of: record("usage.rollups", nil, "v"), partitionCounts: counts) == nil)
    }
}
