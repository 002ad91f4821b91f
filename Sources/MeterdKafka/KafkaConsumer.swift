import Crdkafka
import Logging

/// Receives partition assignment changes of a group consumer.
///
/// librdkafka calls it synchronously from inside `KafkaConsumer.poll`, on the
/// polling thread, before the assignment changes — so a processor can commit
/// or abort its open transaction on revoke before the partitions move.
public protocol RebalanceListener: AnyObject {
    /// `partitions` are about to be assigned. Return a start offset for any
    /// of them that should not resume from the group's committed offset.
    func partitionsAssigned(_ partitions: [TopicPartition], by consumer: KafkaConsumer) -> [TopicPartition: Int64]
    /// `partitions` are being taken away. `lost` is true when the member was
    /// already evicted from the group (e.g. session timeout): committing is
    /// pointless then, because the partitions may already have a new owner.
    func partitionsRevoked(_ partitions: [TopicPartition], lost: Bool, by consumer: KafkaConsumer)
}

/// What one `KafkaConsumer.poll` returned.
public enum ConsumerEvent: Sendable {
    case record(ConsumedRecord)
    /// The consumer reached the end of a partition (`enable.partition.eof`).
    case endOfPartition(TopicPartition, offset: Int64)
    /// A consumer error; `partition` is set when it concerns one partition
    /// (e.g. `OFFSET_OUT_OF_RANGE`).
    case error(KafkaError, partition: TopicPartition?)
}

/// A Kafka consumer, as a member of a group (`subscribe`) or with a manual
/// assignment (`assign`).
///
/// Confined to the thread that polls it (not `Sendable`): librdkafka runs the
/// rebalance listener inside `poll`, so the consumer, its listener and the
/// state they touch all live on that one thread. `runOnDedicatedThread` is the
/// bridge to Swift concurrency.
public final class KafkaConsumer {
    let client: KafkaClient
    private var listener: RebalanceListener?
    public let groupId: String?
    /// The consumer queue (its length tells `FetchWaker` how much is prefetched).
    let consumerQueue: OpaquePointer
    var topicNames: [OpaquePointer: String] = [:]
    /// The topic of the last record `consumeBatch` saw: consecutive records
    /// mostly share it, and comparing one pointer costs less than hashing it.
    var lastTopic: (handle: OpaquePointer, name: String)?

    /// - Parameter configuration: librdkafka properties; `enable.auto.commit`
    ///   defaults to false and `isolation.level` to `read_committed`.
    public init(
        configuration: KafkaConfiguration,
        listener: RebalanceListener? = nil,
        logger: Logger = Logger(label: "meterd.kafka.consumer")
    ) throws(KafkaError) {
        var configuration = configuration
        if configuration["enable.auto.commit"] == nil { configuration["enable.auto.commit"] = "false" }
        if configuration["isolation.level"] == nil { configuration["isolation.level"] = "read_committed" }
        groupId = configuration["group.id"]
        // librdkafka needs a group id even to assign partitions by hand; a
        // manually assigned consumer never joins or commits to it.
        if groupId == nil { configuration["group.id"] = "meterd-manual-assignment" }
        let subscribes = listener != nil
        client = try KafkaClient(kind: RD_KAFKA_CONSUMER, configuration: configuration, logger: logger, prepare: { conf in
            if subscribes { rd_kafka_conf_set_rebalance_cb(conf, kafkaRebalanceCallback) }
        })
        self.listener = listener
        rd_kafka_poll_set_consumer(client.handle)
        consumerQueue = rd_kafka_queue_get_consumer(client.handle)
        client.callbacks.rebalance = { [unowned self] err, list in self.handleRebalance(err, list) }
    }

    /// Joins the group and subscribes to `topics`.
    public func subscribe(_ topics: [String]) throws(KafkaError) {
        let list = PartitionList.make(topics.map { TopicPartition($0, RD_KAFKA_PARTITION_UA) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_subscribe(client.handle, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, client: client.handle, operation: "subscribe") }
    }

    /// Reads `partitions` outside any group, from the given offsets
    /// (`KafkaOffset.beginning`, `.end`, or an absolute offset).
    public func assign(_ partitions: [TopicPartition: Int64]) throws(KafkaError) {
        let list = PartitionList.make(partitions.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_assign(client.handle, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, client: client.handle, operation: "assign") }
    }

    /// Waits up to `timeoutMillis` for the next record or event; `nil` when
    /// none arrived. Rebalance callbacks run inside this call.
    public func poll(timeoutMillis: Int32) -> ConsumerEvent? {
        guard let message = rd_kafka_consumer_poll(client.handle, timeoutMillis) else { return nil }
        defer { rd_kafka_message_destroy(message) }
        return Self.event(from: message, client: client.handle)
    }

    /// The partitions currently assigned.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(client.handle, &list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, client: client.handle, operation: "assignment") }
        defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
        return PartitionList.partitions(list).sorted()
    }

    /// Moves the fetch position of assigned partitions.
    public func seek(_ offsets: [TopicPartition: Int64], timeoutMillis: Int32) throws(KafkaError) {
        let list = PartitionList.make(offsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if let error = rd_kafka_seek_partitions(client.handle, list, timeoutMillis) {
            throw KafkaError.consuming(error, operation: "seek")
        }
        try throwFirstPartitionError(list, operation: "seek")
    }

    /// The offset of the next record to be read per partition (`nil` before
    /// the first fetch).
    public func position(_ partitions: [TopicPartition]) throws(KafkaError) -> [TopicPartition: Int64?] {
        let list = PartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_position(client.handle, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, client: client.handle, operation: "position") }
        return Self.offsetMap(list)
    }

    /// The group's committed offsets (`nil` where none is committed).
    public func committed(_ partitions: [TopicPartition], timeoutMillis: Int32) throws(KafkaError) -> [TopicPartition: Int64?] {
        let list = PartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_committed(client.handle, list, timeoutMillis)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, client: client.handle, operation: "committed") }
        try throwFirstPartitionError(list, operation: "committed")
        return Self.offsetMap(list)
    }

    /// Commits `offsets` (next offset to read) for the group, synchronously.
    public func commit(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        let list = PartitionList.make(offsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_commit(client.handle, list, 0)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, client: client.handle, operation: "commit") }
        try throwFirstPartitionError(list, operation: "commit")
    }

    /// Stops fetching from `partitions` without giving them up.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = PartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_pause_partitions(client.handle, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, client: client.handle, operation: "pause") }
    }

    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = PartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_resume_partitions(client.handle, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, client: client.handle, operation: "resume") }
    }

    /// The group generation for `sendOffsetsToTransaction`; `nil` before the
    /// consumer joined a group.
    public func groupMetadata() -> ConsumerGroupMetadata? {
        rd_kafka_consumer_group_metadata(client.handle).map(ConsumerGroupMetadata.init(handle:))
    }

    /// This member's id in the group ("" before joining).
    public var memberId: String {
        guard let id = rd_kafka_memberid(client.handle) else { return "" }
        defer { rd_kafka_mem_free(client.handle, id) }
        return String(cString: id)
    }

    /// "COOPERATIVE", "EAGER" or "NONE".
    public var rebalanceProtocol: String {
        rd_kafka_rebalance_protocol(client.handle).map { String(cString: $0) } ?? "NONE"
    }

    /// Low and high watermark offsets of a partition.
    public func watermarks(_ partition: TopicPartition, timeoutMillis: Int32) throws(KafkaError) -> (low: Int64, high: Int64) {
        try client.watermarks(partition, timeoutMillis: timeoutMillis)
    }

    /// The last watermarks seen in fetch responses, without asking the broker
    /// (`nil` before the first fetch).
    public func cachedWatermarks(_ partition: TopicPartition) -> (low: Int64, high: Int64)? {
        var low: Int64 = 0
        var high: Int64 = 0
        let err = rd_kafka_get_watermark_offsets(client.handle, partition.topic, partition.partition, &low, &high)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return (low, high)
    }

    /// Earliest offset per partition whose timestamp is ≥ the given epoch ms.
    public func offsetsForTimes(_ times: [TopicPartition: Int64], timeoutMillis: Int32) throws(KafkaError) -> [TopicPartition: Int64] {
        try client.offsetsForTimes(times, timeoutMillis: timeoutMillis)
    }

    /// Topics and their partition counts.
    public func topicPartitionCounts(timeoutMillis: Int32) throws(KafkaError) -> [String: Int] {
        try client.topicPartitionCounts(timeoutMillis: timeoutMillis)
    }

    deinit {
        rd_kafka_queue_destroy(consumerQueue)
    }

    /// Leaves the group (running the revoke callback) and stops fetching.
    public func close() throws(KafkaError) {
        let err = rd_kafka_consumer_close(client.handle)
        listener = nil
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, client: client.handle, operation: "close") }
    }

    // MARK: Internals

    private func handleRebalance(_ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let cooperative = rebalanceProtocol == "COOPERATIVE"
        let partitions = PartitionList.partitions(list)
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let starts = listener?.partitionsAssigned(partitions, by: self) ?? [:]
            if let list, let elements = list.pointee.elems {
                for index in 0..<Int(list.pointee.cnt) {
                    let tp = TopicPartition(String(cString: elements[index].topic), elements[index].partition)
                    if let start = starts[tp] { elements[index].offset = start }
                }
            }
            if cooperative {
                if let error = rd_kafka_incremental_assign(client.handle, list) {
                    client.callbacks.logger.error("incremental assign failed: \(KafkaError.consuming(error, operation: "assign"))")
                }
            } else {
                let result = rd_kafka_assign(client.handle, list)
                if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                    client.callbacks.logger.error("assign failed: \(KafkaError.from(result, client: client.handle, operation: "assign"))")
                }
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            listener?.partitionsRevoked(partitions, lost: rd_kafka_assignment_lost(client.handle) != 0, by: self)
            if cooperative {
                if let error = rd_kafka_incremental_unassign(client.handle, list) {
                    client.callbacks.logger.error("incremental unassign failed: \(KafkaError.consuming(error, operation: "unassign"))")
                }
            } else {
                rd_kafka_assign(client.handle, nil)
            }
        default:
            client.callbacks.logger.error("rebalance error: \(String(cString: rd_kafka_err2str(err)))")
            listener?.partitionsRevoked(partitions, lost: true, by: self)
            rd_kafka_assign(client.handle, nil)
        }
    }

    private func throwFirstPartitionError(
        _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
        operation: String
    ) throws(KafkaError) {
        for (tp, _, err) in PartitionList.read(list) where err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError.from(err, client: client.handle, operation: "\(operation) \(tp)")
        }
    }

    private static func offsetMap(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartition: Int64?] {
        var result: [TopicPartition: Int64?] = [:]
        for (tp, offset, _) in PartitionList.read(list) {
            result[tp] = offset >= 0 ? offset : nil
        }
        return result
    }

}

private let kafkaRebalanceCallback: @convention(c) (
    OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?
) -> Void = { _, err, list, opaque in
    guard let opaque else { return }
    let box = Unmanaged<ClientCallbacks>.fromOpaque(opaque).takeUnretainedValue()
    box.rebalance?(err, list)
}
