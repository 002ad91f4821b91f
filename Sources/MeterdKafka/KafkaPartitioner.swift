import Crdkafka

/// librdkafka's partitioners, for a producer that picks partitions itself
/// but must agree with records sent by key.
public enum KafkaPartitioner {
    /// The partition librdkafka's `murmur2` / `murmur2_random` partitioner
    /// (the Java client's default) gives a non-empty key.
    public static func murmur2(key: [UInt8], partitionCount: Int32) -> Int32 {
        key.withUnsafeBytes { murmur2(key: $0, partitionCount: partitionCount) }
    }

    /// The partition of a record keyed by `key`'s UTF-8 bytes, without copying them.
    public static func murmur2(key: String, partitionCount: Int32) -> Int32 {
        var key = key
        return key.withUTF8 { murmur2(key: UnsafeRawBufferPointer($0), partitionCount: partitionCount) }
    }

    public static func murmur2(key: UnsafeRawBufferPointer, partitionCount: Int32) -> Int32 {
        guard partitionCount > 0 else { return 0 }
        return rd_kafka_msg_partitioner_murmur2(nil, key.baseAddress, key.count, partitionCount, nil, nil)
    }
}
