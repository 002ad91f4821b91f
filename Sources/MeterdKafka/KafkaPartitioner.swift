import Crdkafka

/// librdkafka's partitioners, for a producer that picks partitions itself
/// but must agree with records sent by key.
public enum KafkaPartitioner {
    /// The partition librdkafka's `murmur2` / `murmur2_random` partitioner
    /// (the Java client's default) gives a non-empty key.
    public static func murmur2(key: [UInt8], partitionCount: Int32) -> Int32 {
        guard partitionCount > 0 else { return 0 }
        return key.withUnsafeBytes { bytes in
            rd_kafka_msg_partitioner_murmur2(nil, bytes.baseAddress, bytes.count, partitionCount, nil, nil)
        }
    }
}
