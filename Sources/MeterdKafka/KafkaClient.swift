import Crdkafka
import Logging
import Synchronization

/// The state librdkafka's C callbacks reach through the client's opaque
/// pointer: the logger, delivery bookkeeping and the consumer's rebalance
/// hook.
///
/// `@unchecked Sendable` invariant: `logger` is immutable; `deliveries` is
/// behind a Mutex; `rebalance` is set once, before the consumer subscribes,
/// and only read afterwards by the thread that polls the consumer.
final class ClientCallbacks: @unchecked Sendable {
    let logger: Logger
    let deliveries: Mutex<DeliveryTracker>
    let onDelivery: (@Sendable (DeliveryReport) -> Void)?
    var rebalance: ((rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> Void)?

    init(logger: Logger, onDelivery: (@Sendable (DeliveryReport) -> Void)?) {
        self.logger = logger
        self.deliveries = Mutex(DeliveryTracker())
        self.onDelivery = onDelivery
    }
}

/// Delivery outcomes since the last reset: the first error is kept so a
/// commit step can fail on it (as Kafka Streams' RecordCollector does).
public struct DeliveryTracker: Sendable {
    public var delivered: Int = 0
    public var failed: Int = 0
    public var firstError: KafkaError?

    mutating func record(_ report: DeliveryReport) {
        if let code = report.errorCode {
            failed += 1
            if firstError == nil {
                firstError = KafkaError(code: code, message: report.errorMessage ?? "", operation: "deliver to \(report.topic)[\(report.partition)]")
            }
        } else {
            delivered += 1
        }
    }
}

/// An owned `rd_kafka_t` with its callbacks wired to Swift.
///
/// `@unchecked Sendable` invariant: librdkafka's handle is thread-safe for
/// every call meterd makes on it; the handle is destroyed only in `deinit`.
final class KafkaClient: @unchecked Sendable {
    let handle: OpaquePointer
    let callbacks: ClientCallbacks
    let kind: rd_kafka_type_t
    let configuration: KafkaConfiguration

    init(
        kind: rd_kafka_type_t,
        configuration: KafkaConfiguration,
        logger: Logger,
        onDelivery: (@Sendable (DeliveryReport) -> Void)? = nil,
        prepare: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) {
        let callbacks = ClientCallbacks(logger: logger, onDelivery: onDelivery)
        let conf = try configuration.makeNativeConfiguration()
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(callbacks).toOpaque())
        rd_kafka_conf_set_log_cb(conf, kafkaLogCallback)
        rd_kafka_conf_set_error_cb(conf, kafkaErrorCallback)
        prepare(conf)
        var errorBuffer = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(kind, conf, &errorBuffer, errorBuffer.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, message: errorBuffer.cString, operation: "create client")
        }
        self.handle = handle
        self.callbacks = callbacks
        self.kind = kind
        self.configuration = configuration
        logger.debug("kafka client created", metadata: ["meterd.kafka.config": "\(configuration)"])
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    var name: String { String(cString: rd_kafka_name(handle)) }

    /// Serves queued callbacks (delivery reports, errors) for up to `timeoutMillis`.
    func poll(timeoutMillis: Int32) {
        rd_kafka_poll(handle, timeoutMillis)
    }

    /// The fatal error librdkafka raised on this instance, if any.
    var unrecoverableError: KafkaError? {
        var buffer = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &buffer, buffer.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(code: code.rawValue, message: buffer.cString, isFatal: true, operation: "client")
    }

    /// Low and high watermark offsets of a partition, asked of the broker.
    func watermarks(_ tp: TopicPartition, timeoutMillis: Int32) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(handle, tp.topic, tp.partition, &low, &high, timeoutMillis)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.from(err, client: handle, operation: "query watermarks of \(tp)")
        }
        return (low, high)
    }

    /// The cluster id the brokers report (`nil` if none answered in time).
    func clusterId(timeoutMillis: Int32) -> String? {
        guard let id = rd_kafka_clusterid(handle, timeoutMillis) else { return nil }
        defer { rd_kafka_mem_free(handle, id) }
        return String(cString: id)
    }

    /// True when the brokers are librdkafka's mock cluster (the embedded broker).
    func isEmbeddedBroker(timeoutMillis: Int32) -> Bool {
        clusterId(timeoutMillis: timeoutMillis)?.hasPrefix("mockCluster") ?? false
    }

    /// For each partition, the earliest offset whose timestamp is ≥ the given
    /// time (epoch ms); the end offset when no such record exists.
    ///
    /// The embedded broker answers every timestamp lookup with "none", so
    /// there the answer is found by scanning the partition's record
    /// timestamps (its partitions hold at most a few MiB).
    func offsetsForTimes(_ times: [TopicPartition: Int64], timeoutMillis: Int32) throws(KafkaError) -> [TopicPartition: Int64] {
        var result = try brokerOffsetsForTimes(times, timeoutMillis: timeoutMillis)
        let unanswered = result.filter { $0.value < 0 }.map(\.key)
        guard !unanswered.isEmpty else { return result }
        let scan = isEmbeddedBroker(timeoutMillis: timeoutMillis)
        for tp in unanswered {
            let (low, high) = try watermarks(tp, timeoutMillis: timeoutMillis)
            if scan, high > low, let time = times[tp] {
                result[tp] = try TimestampScan(configuration: configuration, logger: callbacks.logger)
                    .firstOffset(in: tp, atOrAfter: time, low: low, high: high, timeoutMillis: timeoutMillis)
            } else {
                result[tp] = high
            }
        }
        return result
    }

    private func brokerOffsetsForTimes(_ times: [TopicPartition: Int64], timeoutMillis: Int32) throws(KafkaError) -> [TopicPartition: Int64] {
        let list = PartitionList.make(times.map { ($0.key, $0.value) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_offsets_for_times(handle, list, timeoutMillis)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.from(err, client: handle, operation: "offsets for times")
        }
        var result: [TopicPartition: Int64] = [:]
        for (tp, offset, perPartition) in PartitionList.read(list) {
            guard perPartition == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError.from(perPartition, client: handle, operation: "offsets for times of \(tp)")
            }
            result[tp] = offset
        }
        return result
    }

    /// Topics and their partition counts known to the cluster.
    func topicPartitionCounts(timeoutMillis: Int32) throws(KafkaError) -> [String: Int] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 1, nil, &metadata, timeoutMillis)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError.from(err, client: handle, operation: "metadata")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        var result: [String: Int] = [:]
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[index]
            guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            result[String(cString: topic.topic)] = Int(topic.partition_cnt)
        }
        return result
    }
}

private func callbacks(of handle: OpaquePointer?) -> ClientCallbacks? {
    guard let handle, let opaque = rd_kafka_opaque(handle) else { return nil }
    return Unmanaged<ClientCallbacks>.fromOpaque(opaque).takeUnretainedValue()
}

private let kafkaLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = { handle, level, facility, message in
    guard let box = callbacks(of: handle) else { return }
    let text = message.map { String(cString: $0) } ?? ""
    let metadata: Logger.Metadata = ["meterd.kafka.facility": "\(facility.map { String(cString: $0) } ?? "")"]
    switch level {
    case ...3: box.logger.error("\(text)", metadata: metadata)
    case 4: box.logger.warning("\(text)", metadata: metadata)
    case 5: box.logger.notice("\(text)", metadata: metadata)
    case 6: box.logger.info("\(text)", metadata: metadata)
    default: box.logger.debug("\(text)", metadata: metadata)
    }
}

private let kafkaErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = { handle, code, reason, opaque in
    guard let opaque else { return }
    let box = Unmanaged<ClientCallbacks>.fromOpaque(opaque).takeUnretainedValue()
    let name = String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(code)))
    let text = reason.map { String(cString: $0) } ?? ""
    if code == RD_KAFKA_RESP_ERR__FATAL.rawValue {
        box.logger.error("kafka fatal error: \(text)", metadata: ["meterd.kafka.error": "\(name)"])
    } else {
        box.logger.warning("kafka error: \(text)", metadata: ["meterd.kafka.error": "\(name)"])
    }
}

let kafkaDeliveryCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = { _, message, opaque in
    guard let opaque, let message else { return }
    let box = Unmanaged<ClientCallbacks>.fromOpaque(opaque).takeUnretainedValue()
    let m = message.pointee
    let failed = m.err != RD_KAFKA_RESP_ERR_NO_ERROR
    // The common case, a success nobody asked to see, is a count: no report
    // is built (its topic name was a heap string per output record).
    guard failed || box.onDelivery != nil else {
        box.deliveries.withLock { $0.delivered += 1 }
        return
    }
    let report = DeliveryReport(
        topic: m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "",
        partition: m.partition,
        offset: failed ? nil : m.offset,
        errorCode: failed ? m.err.rawValue : nil,
        errorMessage: failed ? String(cString: rd_kafka_err2str(m.err)) : nil
    )
    box.deliveries.withLock { $0.record(report) }
    box.onDelivery?(report)
}
