import MeterdKafka

/// Orders a burst of records for a transactional producer so that the
/// first record of every destination partition goes out first.
///
/// librdkafka 2.0 registers a transaction's new partitions
/// (AddPartitionsToTxn) from a 1 ms timer armed when the first unregistered
/// partition is produced to, and its main thread busy-polls the clock while a
/// timer is due within a millisecond. Partitions that first appear after
/// that request has left wait for its response and start another round,
/// with another millisecond of spinning. Producing one record per partition
/// before the bulk puts every partition of the burst into one request. The
/// commit cut used to produce its rollups and changelog records while
/// encoding them, over several milliseconds: a bench-pipeline run counted
/// 741 registration rounds for 114 transactions, ~0.75 CPU s of spinning;
/// sent as one ordered burst, 359–392 for 93–98 (BENCHMARKS.md, "End-to-end
/// pipeline, round 8").
///
/// Records of one partition keep their relative order (the first record of
/// a partition precedes all others of it in the input), which is the only
/// order Kafka keeps.
enum RegistrationOrder {
    /// The indices of `records` with the first record of each destination
    /// moved to the front, in order of first appearance; records without a
    /// known destination stay in the bulk. Indices, so that the caller sends
    /// from the original array without copying records.
    static func order(of records: [OutgoingRecord], destination: (OutgoingRecord) -> TopicPartition?) -> [Int] {
        guard records.count > 1 else { return Array(records.indices) }
        var seen = Set<TopicPartition>()
        var firsts: [Int] = []
        var rest: [Int] = []
        rest.reserveCapacity(records.count)
        records.withUnsafeBufferPointer { records in
            for index in records.indices {
                if let target = destination(records[index]), seen.insert(target).inserted {
                    firsts.append(index)
                } else {
                    rest.append(index)
                }
            }
        }
        return firsts + rest
    }

    /// Where librdkafka's `murmur2_random` partitioner puts a record: its
    /// explicit partition, else murmur2 of its key over the topic's partition
    /// count (when known); nil when it picks one at random (no key).
    static func destination(of record: OutgoingRecord, partitionCounts: [String: Int32]) -> TopicPartition? {
        if let partition = record.partition { return TopicPartition(record.topic, partition) }
        guard let key = record.key, !key.isEmpty, let count = partitionCounts[record.topic], count > 0 else { return nil }
        return TopicPartition(record.topic, KafkaPartitioner.murmur2(key: key, partitionCount: count))
    }
}
