import Crdkafka

/// A partition of a topic.
public struct TopicPartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let topic: String
    public let partition: Int32

    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }

    public static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
}

/// Special offsets understood by librdkafka.
public enum KafkaOffset {
    public static let beginning: Int64 = Int64(RD_KAFKA_OFFSET_BEGINNING)
    public static let end: Int64 = Int64(RD_KAFKA_OFFSET_END)
    public static let stored: Int64 = Int64(RD_KAFKA_OFFSET_STORED)
    public static let invalid: Int64 = Int64(RD_KAFKA_OFFSET_INVALID)
}

/// Conversions between `rd_kafka_topic_partition_list_t` and Swift values.
enum PartitionList {
    /// Creates a list the caller must destroy with `rd_kafka_topic_partition_list_destroy`.
    static func make(_ entries: [(TopicPartition, Int64?)]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(max(entries.count, 1)))!
        for (tp, offset) in entries {
            let element = rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition)!
            element.pointee.offset = offset ?? KafkaOffset.invalid
        }
        return list
    }

    static func make(_ partitions: [TopicPartition]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        make(partitions.map { ($0, nil) })
    }

    /// Every element of `list` with its offset and per-partition error.
    static func read(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [(TopicPartition, offset: Int64, error: rd_kafka_resp_err_t)] {
        guard let list, let elements = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = elements[index]
            return (TopicPartition(String(cString: element.topic), element.partition), element.offset, element.err)
        }
    }

    static func partitions(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartition] {
        read(list).map(\.0)
    }
}
