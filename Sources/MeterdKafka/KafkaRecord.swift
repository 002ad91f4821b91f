/// A header of a Kafka record. A `nil` value is a header with a null value.
public struct KafkaHeader: Sendable, Hashable {
    public let key: String
    public let value: [UInt8]?

    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    public init(key: String, string: String) {
        self.key = key
        self.value = Array(string.utf8)
    }

    /// The value as UTF-8 text.
    public var stringValue: String? { value.map { String(decoding: $0, as: UTF8.self) } }
}

/// A record to produce.
public struct OutgoingRecord: Sendable, Hashable {
    public let topic: String
    /// `nil` lets the partitioner choose (murmur2 of the key, like Java clients).
    public let partition: Int32?
    public let key: [UInt8]?
    /// `nil` produces a tombstone.
    public let value: [UInt8]?
    public let headers: [KafkaHeader]
    /// Record timestamp in epoch milliseconds; `nil` means now.
    public let timestampMillis: Int64?

    public init(
        topic: String,
        partition: Int32? = nil,
        key: [UInt8]? = nil,
        value: [UInt8]?,
        headers: [KafkaHeader] = [],
        timestampMillis: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMillis = timestampMillis
    }
}

/// A record read by a consumer: an owned copy, valid after the poll returns.
public struct ConsumedRecord: Sendable, Hashable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: [UInt8]?
    /// `nil` for a tombstone.
    public let value: [UInt8]?
    public let headers: [KafkaHeader]
    /// Record timestamp in epoch milliseconds, if the broker reported one.
    public let timestampMillis: Int64?

    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader],
        timestampMillis: Int64?
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMillis = timestampMillis
    }

    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }

    /// The first header named `key`.
    public func header(_ key: String) -> KafkaHeader? { headers.first { $0.key == key } }
}

/// The outcome of one produced record, reported by librdkafka once the
/// broker acknowledged it (or gave up).
public struct DeliveryReport: Sendable, Hashable {
    public let topic: String
    public let partition: Int32
    /// Offset assigned by the broker; `nil` when delivery failed.
    public let offset: Int64?
    /// librdkafka's error code, `nil` on success.
    public let errorCode: Int32?
    public let errorMessage: String?

    public var succeeded: Bool { errorCode == nil }
}
