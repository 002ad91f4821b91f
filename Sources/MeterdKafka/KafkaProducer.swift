import Crdkafka
import Logging

/// A Kafka producer: idempotent by default, transactional when created with
/// a `transactional.id`.
///
/// Sends are asynchronous; delivery reports arrive while `poll` or `flush`
/// run and are tallied in `deliveries` (and passed to `onDelivery`).
/// Thread-safe: librdkafka allows concurrent calls on one producer.
public final class KafkaProducer: Sendable {
    let client: KafkaClient
    /// True when the producer was configured with a `transactional.id`.
    public let isTransactional: Bool

    /// - Parameters:
    ///   - configuration: librdkafka properties; `enable.idempotence` defaults to true.
    ///   - onDelivery: called for every delivery report, on the thread that polls.
    public init(
        configuration: KafkaConfiguration,
        logger: Logger = Logger(label: "meterd.kafka.producer"),
        onDelivery: (@Sendable (DeliveryReport) -> Void)? = nil
    ) throws(KafkaError) {
        var configuration = configuration
        if configuration["enable.idempotence"] == nil { configuration["enable.idempotence"] = "true" }
        isTransactional = configuration["transactional.id"] != nil
        client = try KafkaClient(kind: RD_KAFKA_PRODUCER, configuration: configuration, logger: logger, onDelivery: onDelivery, prepare: { conf in
            rd_kafka_conf_set_dr_msg_cb(conf, kafkaDeliveryCallback)
        })
    }

    /// Loads the metadata of every topic into the client's cache now (one
    /// request) and returns those of `topics` the broker did not describe.
    /// librdkafka learns a topic's partitions on the first record sent to
    /// it, and until then holds that record for its next periodic topic scan
    /// (up to a second): without this, the first transactions that reach a
    /// new output topic each wait that long before they can commit.
    @discardableResult
    public func loadTopicMetadata(_ topics: [String], timeoutMillis: Int32 = 5_000) -> [String] {
        let described = (try? client.topicPartitionCounts(timeoutMillis: timeoutMillis)) ?? [:]
        return topics.filter { (described[$0] ?? 0) == 0 }
    }

    /// Enqueues one record. Fails at once when the local queue is full or the
    /// producer is in a fatal or abortable state; broker errors arrive later
    /// as delivery reports.
    public func send(_ record: OutgoingRecord) throws(KafkaError) {
        var headers: OpaquePointer?
        if !record.headers.isEmpty {
            headers = rd_kafka_headers_new(record.headers.count)
            for header in record.headers {
                if let value = header.value {
                    _ = value.withUnsafeBytes { rd_kafka_header_add(headers, header.key, -1, $0.baseAddress, $0.count) }
                } else {
                    _ = rd_kafka_header_add(headers, header.key, -1, nil, 0)
                }
            }
        }
        let err = withOptionalBytes(record.key) { keyPointer, keyCount in
            withOptionalBytes(record.value) { valuePointer, valueCount in
                meterd_produce(
                    client.handle, record.topic, record.partition ?? RD_KAFKA_PARTITION_UA,
                    keyPointer, keyCount, valuePointer, valueCount,
                    headers, record.timestampMillis ?? 0, nil
                )
            }
        }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            if let headers { rd_kafka_headers_destroy(headers) }
            throw KafkaError.from(err, client: client.handle, operation: "produce to \(record.topic)")
        }
    }

    /// Enqueues one record like `send`, but while the local queue is full
    /// serves delivery reports (which frees it) and tries again.
    public func sendWaitingForQueueSpace(_ record: OutgoingRecord) throws(KafkaError) {
        while true {
            do {
                try send(record)
                return
            } catch {
                guard error.name == "_QUEUE_FULL" else { throw error }
                poll(timeoutMillis: 10)
            }
        }
    }

    /// Serves delivery reports for up to `timeoutMillis`.
    public func poll(timeoutMillis: Int32 = 0) {
        client.poll(timeoutMillis: timeoutMillis)
    }

    /// Waits until every enqueued record is delivered or failed.
    /// - Throws: `KafkaError` with `isTimeout` when records are still in flight.
    public func flush(timeoutMillis: Int32) throws(KafkaError) {
        let err = rd_kafka_flush(client.handle, timeoutMillis)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.from(err, client: client.handle, operation: "flush")
        }
    }

    /// Records enqueued but not yet acknowledged.
    public var inFlightCount: Int { Int(rd_kafka_outq_len(client.handle)) }

    /// Delivery outcomes so far.
    public var deliveries: DeliveryTracker { client.callbacks.deliveries.withLock { $0 } }

    /// Returns the delivery outcomes so far and starts a new tally.
    public func takeDeliveries() -> DeliveryTracker {
        client.callbacks.deliveries.withLock { tracker in
            defer { tracker = DeliveryTracker() }
            return tracker
        }
    }

    /// The fatal error that made this producer unusable, if any.
    public var unrecoverableError: KafkaError? { client.unrecoverableError }

    // MARK: Transactions

    /// Registers the `transactional.id` with the coordinator, fencing older
    /// producers with the same id and completing their open transaction.
    public func initTransactions(timeoutMillis: Int32) throws(KafkaError) {
        try check(rd_kafka_init_transactions(client.handle, timeoutMillis), "initTransactions")
    }

    public func beginTransaction() throws(KafkaError) {
        try check(rd_kafka_begin_transaction(client.handle), "beginTransaction")
    }

    /// Adds consumer offsets to the open transaction so they commit with its
    /// records (KIP-447: the group metadata lets the coordinator fence
    /// zombie members).
    /// - Parameter offsets: the next offset to read per partition.
    public func sendOffsetsToTransaction(
        _ offsets: [TopicPartition: Int64],
        groupMetadata: ConsumerGroupMetadata,
        timeoutMillis: Int32
    ) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = PartitionList.make(offsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try check(
            rd_kafka_send_offsets_to_transaction(client.handle, list, groupMetadata.handle, timeoutMillis),
            "sendOffsetsToTransaction"
        )
    }

    /// Flushes and commits the open transaction.
    public func commitTransaction(timeoutMillis: Int32) throws(KafkaError) {
        try check(rd_kafka_commit_transaction(client.handle, timeoutMillis), "commitTransaction")
    }

    /// Aborts the open transaction; records sent in it are discarded for
    /// `read_committed` consumers.
    public func abortTransaction(timeoutMillis: Int32) throws(KafkaError) {
        try check(rd_kafka_abort_transaction(client.handle, timeoutMillis), "abortTransaction")
    }

    private func check(_ error: OpaquePointer?, _ operation: String) throws(KafkaError) {
        if let error { throw KafkaError.consuming(error, operation: operation) }
    }
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawPointer?, Int) -> R) -> R {
    guard let bytes else { return body(nil, 0) }
    return bytes.withUnsafeBytes { body($0.baseAddress, $0.count) }
}
