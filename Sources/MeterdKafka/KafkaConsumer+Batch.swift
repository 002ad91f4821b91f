import Crdkafka

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

    /// A copy of the value (`nil` for a tombstone).
    public var value: [UInt8]? { withValue { $0.map { Array($0) } } }

    /// A copy of the key.
    public var key: [UInt8]? {
        let m = message.pointee
        return m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
    }

    /// Copies of the headers.
    public var headers: [KafkaHeader] { KafkaConsumer.headers(of: message) }

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

/// The order in which `consumeBatch` hands out the records of one batch.
public enum BatchOrder: Sendable {
    /// As librdkafka queued them: each partition's fetched chunk in turn.
    case asFetched
    /// Merged across partitions by record timestamp, each partition's own
    /// order kept (as Kafka Streams picks the partition with the smallest
    /// head timestamp): a backlog fetched one partition chunk at a time is
    /// handed out in roughly time order, so event time does not jump ahead
    /// by a chunk and then back for the next partition.
    case byTimestamp
}

extension KafkaConsumer {
    /// Takes up to `maxRecords` records in one call, waiting at most
    /// `timeoutMillis` for the first; `onRecord` sees each record borrowed
    /// (no copy), `onEvent` every other event (before the records when the
    /// batch is reordered). Rebalance callbacks run inside this call, as in
    /// `poll`. Returns the number of messages taken.
    @discardableResult
    public func consumeBatch(
        maxRecords: Int,
        timeoutMillis: Int32,
        order: BatchOrder = .asFetched,
        onRecord: (borrowing BorrowedRecord) -> Void,
        onEvent: (ConsumerNotice) -> Void
    ) -> Int {
        if batchBuffer.count < maxRecords {
            batchBuffer = [UnsafeMutablePointer<rd_kafka_message_t>?](repeating: nil, count: maxRecords)
        }
        let count = batchBuffer.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_consume_batch_queue(consumerQueue, timeoutMillis, buffer.baseAddress, maxRecords)
        }
        guard count > 0 else { return 0 }
        switch order {
        case .asFetched:
            for index in 0..<count { deliver(index, onRecord: onRecord, onEvent: onEvent) }
        case .byTimestamp:
            for index in timestampOrder(count) { deliver(index, onRecord: onRecord, onEvent: onEvent) }
        }
        return count
    }

    /// Hands out and destroys the batch's message at `index`.
    private func deliver(_ index: Int, onRecord: (borrowing BorrowedRecord) -> Void, onEvent: (ConsumerNotice) -> Void) {
        guard let message = batchBuffer[index] else { return }
        defer { rd_kafka_message_destroy(message) }
        if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            // A record always has its topic handle.
            if let rkt = message.pointee.rkt { onRecord(BorrowedRecord(topic: topicName(rkt), message: message)) }
            return
        }
        switch Self.event(from: message, client: client.handle) {
        case .endOfPartition(let tp, let offset): onEvent(.endOfPartition(tp, offset: offset))
        case .error(let error, let tp): onEvent(.error(error, partition: tp))
        case .record: break
        }
    }

    /// Indexes of the batch's messages: events first, then records by
    /// (running maximum timestamp of their partition, position). The running
    /// maximum never decreases within a partition, so each partition's
    /// records keep their offset order.
    private func timestampOrder(_ count: Int) -> [Int] {
        var events: [Int] = []
        var keyed: [(time: Int64, index: Int)] = []
        keyed.reserveCapacity(count)
        var latest: [PartitionKey: Int64] = [:]
        for index in 0..<count {
            guard let message = batchBuffer[index] else { continue }
            guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR, let rkt = message.pointee.rkt else {
                events.append(index)
                continue
            }
            var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
            let stamp = rd_kafka_message_timestamp(message, &type)
            let key = PartitionKey(topic: rkt, partition: message.pointee.partition)
            let previous = latest[key] ?? .min
            let time = type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? previous : max(previous, stamp)
            latest[key] = time
            keyed.append((time, index))
        }
        keyed.sort { $0.time != $1.time ? $0.time < $1.time : $0.index < $1.index }
        return events + keyed.map(\.index)
    }

    private func topicName(_ rkt: OpaquePointer) -> String {
        if let name = topicNames[rkt] { return name }
        let name = String(cString: rd_kafka_topic_name(rkt))
        topicNames[rkt] = name
        return name
    }
}

/// A partition by librdkafka topic handle, for per-batch bookkeeping.
private struct PartitionKey: Hashable {
    let topic: OpaquePointer
    let partition: Int32
}
