import Crdkafka
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// A topic to create.
public struct NewTopic: Sendable, Hashable {
    public let name: String
    public let partitions: Int
    public let replicationFactor: Int
    /// Topic configs, e.g. `cleanup.policy: compact`.
    public let configs: [String: String]

    public init(name: String, partitions: Int, replicationFactor: Int = 1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// One member of a consumer group and the partitions it owns.
public struct GroupMember: Sendable, Hashable {
    public let memberId: String
    public let clientId: String
    public let host: String
    public let groupInstanceId: String?
    public let assignment: [TopicPartition]
}

/// A consumer group as the coordinator describes it.
public struct GroupDescription: Sendable, Hashable {
    public let groupId: String
    /// e.g. `Stable`, `PreparingRebalance`, `Empty`, `Dead`.
    public let state: String
    public let members: [GroupMember]
}

/// Cluster administration: topics, configs and consumer-group offsets —
/// what librdkafka 2.0 offers.
///
/// The embedded broker (librdkafka's mock cluster) has no CreateTopics,
/// DescribeConfigs or DescribeGroups handlers; against it those calls fail at
/// once with `_UNSUPPORTED_FEATURE` and a message saying so, instead of
/// waiting for a controller that never answers.
public final class KafkaAdmin: Sendable {
    let client: KafkaClient

    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "meterd.kafka.admin")) throws(KafkaError) {
        client = try KafkaClient(kind: RD_KAFKA_PRODUCER, configuration: configuration, logger: logger)
    }

    /// True when the cluster is the embedded broker (librdkafka's mock cluster).
    public func isEmbeddedBroker(timeoutMillis: Int32 = 5_000) -> Bool {
        client.isEmbeddedBroker(timeoutMillis: timeoutMillis)
    }

    private func requireRealBroker(_ operation: String) throws(KafkaError) {
        guard isEmbeddedBroker() else { return }
        throw KafkaError(
            code: RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE.rawValue,
            message: "the embedded broker (librdkafka mock cluster) does not implement \(operation); it only has the topics `meterd broker` created",
            operation: operation
        )
    }

    /// Creates topics; returns the error of each topic that failed (e.g.
    /// `TOPIC_ALREADY_EXISTS`), keyed by name.
    public func createTopics(_ topics: [NewTopic], timeoutMillis: Int32 = 10_000) throws(KafkaError) -> [String: KafkaError] {
        try requireRealBroker("CreateTopics")
        var handles: [OpaquePointer?] = []
        defer { handles.forEach { rd_kafka_NewTopic_destroy($0) } }
        var errorBuffer = [CChar](repeating: 0, count: 512)
        for topic in topics {
            guard let handle = rd_kafka_NewTopic_new(topic.name, Int32(topic.partitions), Int32(topic.replicationFactor), &errorBuffer, errorBuffer.count) else {
                throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, message: errorBuffer.cString, operation: "create topic \(topic.name)")
            }
            handles.append(handle)
            for (key, value) in topic.configs.sorted(by: { $0.key < $1.key }) {
                rd_kafka_NewTopic_set_config(handle, key, value)
            }
        }
        return try request(RD_KAFKA_ADMIN_OP_CREATETOPICS, "createTopics", timeoutMillis) { options, queue in
            handles.withUnsafeMutableBufferPointer { rd_kafka_CreateTopics(client.handle, $0.baseAddress, $0.count, options, queue) }
        } read: { event in
            var count = 0
            let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
            var failures: [String: KafkaError] = [:]
            for index in 0..<count {
                guard let result = results?[index] else { continue }
                let err = rd_kafka_topic_result_error(result)
                guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
                let name = String(cString: rd_kafka_topic_result_name(result))
                let message = rd_kafka_topic_result_error_string(result).map { String(cString: $0) }
                failures[name] = KafkaError.from(err, client: nil, operation: "create topic \(name)", detail: message)
            }
            return failures
        }
    }

    /// Partition counts of every topic the cluster knows.
    public func topicPartitionCounts(timeoutMillis: Int32 = 10_000) throws(KafkaError) -> [String: Int] {
        try client.topicPartitionCounts(timeoutMillis: timeoutMillis)
    }

    /// Configs of a topic (name → value).
    public func describeTopicConfig(_ topic: String, timeoutMillis: Int32 = 10_000) throws(KafkaError) -> [String: String] {
        try requireRealBroker("DescribeConfigs")
        let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic)
        defer { rd_kafka_ConfigResource_destroy(resource) }
        var resources: [OpaquePointer?] = [resource]
        return try request(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, "describeConfigs", timeoutMillis) { options, queue in
            resources.withUnsafeMutableBufferPointer { rd_kafka_DescribeConfigs(client.handle, $0.baseAddress, $0.count, options, queue) }
        } read: { event throws(KafkaError) in
            var count = 0
            let results = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event), &count)
            var configs: [String: String] = [:]
            for index in 0..<count {
                guard let result = results?[index] else { continue }
                let err = rd_kafka_ConfigResource_error(result)
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError.from(err, client: nil, operation: "describe config of \(topic)")
                }
                var entryCount = 0
                let entries = rd_kafka_ConfigResource_configs(result, &entryCount)
                for entryIndex in 0..<entryCount {
                    guard let entry = entries?[entryIndex], let name = rd_kafka_ConfigEntry_name(entry) else { continue }
                    configs[String(cString: name)] = rd_kafka_ConfigEntry_value(entry).map { String(cString: $0) } ?? ""
                }
            }
            return configs
        }
    }

    /// A group's committed offsets (all partitions when `partitions` is nil).
    public func listConsumerGroupOffsets(
        _ group: String,
        partitions: [TopicPartition]? = nil,
        timeoutMillis: Int32 = 10_000
    ) throws(KafkaError) -> [TopicPartition: Int64] {
        let list = partitions.map { PartitionList.make($0) }
        defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
        var requests: [OpaquePointer?] = [rd_kafka_ListConsumerGroupOffsets_new(group, list)]
        defer { requests.forEach { rd_kafka_ListConsumerGroupOffsets_destroy($0) } }
        return try request(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, "listConsumerGroupOffsets", timeoutMillis) { options, queue in
            requests.withUnsafeMutableBufferPointer { rd_kafka_ListConsumerGroupOffsets(client.handle, $0.baseAddress, $0.count, options, queue) }
        } read: { event throws(KafkaError) in
            var count = 0
            let groups = rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(event), &count)
            return try Self.groupOffsets(groups, count: count, operation: "list offsets of group \(group)")
        }
    }

    /// Overwrites a group's committed offsets; the group must have no active
    /// members (Kafka refuses otherwise).
    public func alterConsumerGroupOffsets(
        _ group: String,
        offsets: [TopicPartition: Int64],
        timeoutMillis: Int32 = 10_000
    ) throws(KafkaError) {
        let list = PartitionList.make(offsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        var requests: [OpaquePointer?] = [rd_kafka_AlterConsumerGroupOffsets_new(group, list)]
        defer { requests.forEach { rd_kafka_AlterConsumerGroupOffsets_destroy($0) } }
        _ = try request(RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, "alterConsumerGroupOffsets", timeoutMillis) { options, queue in
            requests.withUnsafeMutableBufferPointer { rd_kafka_AlterConsumerGroupOffsets(client.handle, $0.baseAddress, $0.count, options, queue) }
        } read: { event throws(KafkaError) in
            var count = 0
            let groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(rd_kafka_event_AlterConsumerGroupOffsets_result(event), &count)
            return try Self.groupOffsets(groups, count: count, operation: "alter offsets of group \(group)")
        }
    }

    /// Members and state of consumer groups.
    public func describeConsumerGroups(_ groups: [String], timeoutMillis: Int32 = 10_000) throws(KafkaError) -> [GroupDescription] {
        try requireRealBroker("DescribeGroups")
        var names: [UnsafePointer<CChar>?] = groups.map { UnsafePointer(strdup($0)) }
        defer { names.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        return try request(RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, "describeConsumerGroups", timeoutMillis) { options, queue in
            names.withUnsafeMutableBufferPointer { rd_kafka_DescribeConsumerGroups(client.handle, $0.baseAddress, $0.count, options, queue) }
        } read: { event throws(KafkaError) in
            var count = 0
            let results = rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(event), &count)
            var descriptions: [GroupDescription] = []
            for index in 0..<count {
                guard let group = results?[index] else { continue }
                let groupId = String(cString: rd_kafka_ConsumerGroupDescription_group_id(group))
                if let error = rd_kafka_ConsumerGroupDescription_error(group) {
                    throw KafkaError(code: rd_kafka_error_code(error).rawValue, message: String(cString: rd_kafka_error_string(error)), operation: "describe group \(groupId)")
                }
                let members = (0..<rd_kafka_ConsumerGroupDescription_member_count(group)).compactMap { memberIndex -> GroupMember? in
                    guard let member = rd_kafka_ConsumerGroupDescription_member(group, memberIndex) else { return nil }
                    let assignment = rd_kafka_MemberDescription_assignment(member).map { PartitionList.partitions(rd_kafka_MemberAssignment_partitions($0)) } ?? []
                    return GroupMember(
                        memberId: String(cString: rd_kafka_MemberDescription_consumer_id(member)),
                        clientId: String(cString: rd_kafka_MemberDescription_client_id(member)),
                        host: String(cString: rd_kafka_MemberDescription_host(member)),
                        groupInstanceId: rd_kafka_MemberDescription_group_instance_id(member).map { String(cString: $0) },
                        assignment: assignment.sorted()
                    )
                }
                let state = String(cString: rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(group)))
                descriptions.append(GroupDescription(groupId: groupId, state: state, members: members))
            }
            return descriptions
        }
    }

    /// Low and high watermark offsets of a partition.
    public func watermarks(_ partition: TopicPartition, timeoutMillis: Int32 = 10_000) throws(KafkaError) -> (low: Int64, high: Int64) {
        try client.watermarks(partition, timeoutMillis: timeoutMillis)
    }

    /// Earliest offset per partition whose timestamp is ≥ the given epoch ms
    /// (the end offset where no record is that recent).
    public func offsetsForTimes(_ times: [TopicPartition: Int64], timeoutMillis: Int32 = 10_000) throws(KafkaError) -> [TopicPartition: Int64] {
        try client.offsetsForTimes(times, timeoutMillis: timeoutMillis)
    }

    // MARK: Internals

    private static func groupOffsets(_ groups: UnsafeMutablePointer<OpaquePointer?>?, count: Int, operation: String) throws(KafkaError) -> [TopicPartition: Int64] {
        var offsets: [TopicPartition: Int64] = [:]
        for index in 0..<count {
            guard let group = groups?[index] else { continue }
            if let error = rd_kafka_group_result_error(group) {
                throw KafkaError(code: rd_kafka_error_code(error).rawValue, message: String(cString: rd_kafka_error_string(error)), operation: operation)
            }
            for (tp, offset, err) in PartitionList.read(rd_kafka_group_result_partitions(group)) {
                guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, client: nil, operation: "\(operation) \(tp)") }
                if offset >= 0 { offsets[tp] = offset }
            }
        }
        return offsets
    }

    /// Runs one admin request on a private queue and reads its result event.
    private func request<Result>(
        _ operationKind: rd_kafka_admin_op_t,
        _ operation: String,
        _ timeoutMillis: Int32,
        start: (OpaquePointer?, OpaquePointer?) -> Void,
        read: (OpaquePointer) throws(KafkaError) -> Result
    ) throws(KafkaError) -> Result {
        let queue = rd_kafka_queue_new(client.handle)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(client.handle, operationKind)
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errorBuffer = [CChar](repeating: 0, count: 512)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMillis, &errorBuffer, errorBuffer.count)
        start(options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeoutMillis + 1_000) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue, message: "no answer within \(timeoutMillis) ms", isRetriable: true, operation: operation)
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let detail = rd_kafka_event_error_string(event).map { String(cString: $0) }
            throw KafkaError.from(err, client: nil, operation: operation, detail: detail)
        }
        return try read(event)
    }
}
