import Crdkafka
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A consumed record borrowed from librdkafka's buffer: valid only inside
/// the `consumeBatch` callback that received it (it is non-copyable and
/// handed over `borrowing`, so it cannot be kept), copied only on demand.
public struct BorrowedRecord: ~Copyable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    /// Record timestamp in epoch milliseconds, if the broker reported one.
    public let timestampMillis: Int64?
    let message: UnsafeMutablePointer<rd_kafka_message_t>

    init(topic: String, message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let m = message.pointee
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        self.topic = topic
        self.partition = m.partition
        self.offset = m.offset
        self.timestampMillis = timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
        self.message = message
    }

    /// Calls `body` with the value bytes (`nil` for a tombstone) without copying them.
    public func withValue<R>(_ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        let m = message.pointee
        guard let payload = m.payload else { return try body(nil) }
        return try body(UnsafeRawBufferPointer(start: payload, count: m.len))
    }

    /// The value's size in bytes (0 for a tombstone).
    public var valueByteCount: Int { message.pointee.len }

    /// A copy of the value (`nil` for a tombstone).
    public var value: [UInt8]? { withValue { $0.map { Array($0) } } }

    /// A copy of the key.
    public var key: [UInt8]? {
        let m = message.pointee
        return m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
    }

    /// Copies of the headers.
    public var headers: [KafkaHeader] { KafkaConsumer.headers(of: message) }

    /// Whether the byte after the value is 0 and `readable` bytes from it on
    /// can be read, so a parser may take the value where it lies as if it
    /// were copied and zero-padded: true for most records without headers
    /// (a v2 record's header count, 0, follows its value in librdkafka's
    /// buffer), false for a tombstone, an empty value, a record with headers
    /// or a value that ends too close to a page end.
    public func zeroFollowsValue(readable: Int) -> Bool {
        KafkaConsumer.zeroFollowsValue(message, readable: readable)
    }

    /// An owned copy of the whole record.
    public var owned: ConsumedRecord {
        ConsumedRecord(topic: topic, partition: partition, offset: offset, key: key, value: value, headers: headers, timestampMillis: timestampMillis)
    }
}

/// A non-record event of `consumeBatch`.
public enum ConsumerNotice: Sendable {
    /// The consumer reached the end of a partition (`enable.partition.eof`).
    case endOfPartition(TopicPartition, offset: Int64)
    /// A consumer error; `partition` is set when it concerns one partition.
    case error(KafkaError, partition: TopicPartition?)
}

extension KafkaConsumer {
    /// Takes up to `maxRecords` records in one call, waiting at most
    /// `timeoutMillis` in all for them (as `rd_kafka_consume_batch_queue`
    /// does: a batch ends when it is full or the time is up); `onRecord` sees
    /// each record borrowed (no copy), `onEvent` every other event. Rebalance
    /// callbacks run inside this call, as in `poll`. Returns the number of
    /// messages taken.
    ///
    /// One `rd_kafka_consumer_poll` per message, not
    /// `rd_kafka_consume_batch_queue`: on librdkafka < 2.1 (Debian ships
    /// 2.0.2) the batch API can skip offsets when a pause, resume, seek or
    /// rebalance (librdkafka pauses the assignment itself while one is
    /// served) happens while it runs — a known issue of v2.0.0, fixed in
    /// v2.1.0 ("intermittently skipping offsets when pause or resume was
    /// being used for a partition"). The e2e suite lost one fetched chunk per
    /// partition of a member at a rebalance that way; nothing downstream can
    /// tell a skipped offset from a gap left by transaction markers.
    @discardableResult
    public func consumeBatch(
        maxRecords: Int,
        timeoutMillis: Int32,
        onRecord: (borrowing BorrowedRecord) -> Void,
        onEvent: (ConsumerNotice) -> Void
    ) -> Int {
        var count = 0
        // Set at the first empty poll: the clock is read only when the queue runs dry.
        var deadlineMillis: Int64?
        while count < maxRecords {
            var polled = rd_kafka_consumer_poll(client.handle, 0)
            if polled == nil, timeoutMillis > 0 {
                let now = Self.monotonicMillis()
                let deadline = deadlineMillis ?? now + Int64(timeoutMillis)
                deadlineMillis = deadline
                if now < deadline { polled = rd_kafka_consumer_poll(client.handle, Int32(deadline - now)) }
            }
            guard let message = polled else { break }
            defer { rd_kafka_message_destroy(message) }
            count += 1
            if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                // A record always has its topic handle.
                if let rkt = message.pointee.rkt { onRecord(BorrowedRecord(topic: topicName(rkt), message: message)) }
                continue
            }
            switch Self.event(from: message, client: client.handle) {
            case .endOfPartition(let tp, let offset): onEvent(.endOfPartition(tp, offset: offset))
            case .error(let error, let tp): onEvent(.error(error, partition: tp))
            case .record: break
            }
        }
        return count
    }

    private static func monotonicMillis() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec) / 1_000_000
    }

    private func topicName(_ rkt: OpaquePointer) -> String {
        if let last = lastTopic, last.handle == rkt { return last.name }
        let name: String
        if let known = topicNames[rkt] {
            name = known
        } else {
            name = String(cString: rd_kafka_topic_name(rkt))
            topicNames[rkt] = name
        }
        lastTopic = (rkt, name)
        return name
    }
}
