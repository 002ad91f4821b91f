import Crdkafka
import Logging

/// Kafka protocol request types, for fault injection on the embedded broker.
public enum KafkaAPI: Int16, Sendable, CaseIterable {
    case produce = 0
    case fetch = 1
    case listOffsets = 2
    case metadata = 3
    case offsetCommit = 8
    case offsetFetch = 9
    case findCoordinator = 10
    case joinGroup = 11
    case heartbeat = 12
    case leaveGroup = 13
    case syncGroup = 14
    case initProducerId = 22
    case addPartitionsToTxn = 24
    case addOffsetsToTxn = 25
    case endTxn = 26
    case txnOffsetCommit = 28
}

/// Broker error codes used for fault injection (Kafka protocol values).
public struct KafkaErrorCode: RawRepresentable, Sendable, Hashable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let notLeaderForPartition = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION.rawValue)
    public static let requestTimedOut = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue)
    public static let notEnoughReplicas = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS.rawValue)
    public static let coordinatorNotAvailable = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE.rawValue)
    public static let notCoordinator = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_NOT_COORDINATOR.rawValue)
    public static let concurrentTransactions = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS.rawValue)
    public static let invalidProducerEpoch = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH.rawValue)
    public static let producerFenced = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_PRODUCER_FENCED.rawValue)
    public static let transactionalIdAuthorizationFailed = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED.rawValue)
    public static let unknownTopicOrPartition = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue)
    public static let rebalanceInProgress = KafkaErrorCode(rawValue: RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS.rawValue)
}

/// The embedded Kafka-protocol broker: librdkafka's mock cluster, listening
/// on 127.0.0.1, with its fault injection exposed for tests.
///
/// It speaks the real protocol, so every client talks to it through sockets
/// exactly as to Apache Kafka. Its limits (SPEC section 6): no CreateTopics
/// or DescribeConfigs/DescribeGroups handlers, aborted transactions visible to
/// `read_committed` consumers, transactional offset commits not kept as group
/// offsets, and at most ~5 MiB retained per partition.
///
/// `@unchecked Sendable` invariant: the mock cluster's API is thread-safe
/// (each call is an op on the cluster's own thread); the handle is destroyed
/// only in `deinit`.
public final class EmbeddedBroker: @unchecked Sendable {
    private let host: KafkaClient
    private let cluster: OpaquePointer
    /// `host:port` list of the brokers, for `bootstrap.servers`.
    public let bootstrap: String
    public let brokerCount: Int

    public init(brokers: Int = 1, logger: Logger = Logger(label: "meterd.broker")) throws(KafkaError) {
        host = try KafkaClient(kind: RD_KAFKA_PRODUCER, configuration: KafkaConfiguration(["client.id": "meterd-embedded-broker", "log_level": "4"]), logger: logger)
        guard let cluster = rd_kafka_mock_cluster_new(host.handle, Int32(brokers)) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL.rawValue, message: "could not start the mock cluster", operation: "start embedded broker")
        }
        self.cluster = cluster
        self.brokerCount = brokers
        self.bootstrap = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        let listeners = Self.disableNagle(onListenersOf: bootstrap)
        if listeners < brokers {
            logger.warning("could not disable Nagle's algorithm on every broker listener; small responses may wait ~40 ms", metadata: [
                "meterd.listeners": "\(listeners)", "meterd.brokers": "\(brokers)",
            ])
        }
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Creates a topic. Configs such as `cleanup.policy` are not supported by
    /// the mock cluster and are not taken here.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        let err = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(min(replicationFactor, brokerCount)))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.from(err, client: nil, operation: "create topic \(name)")
        }
    }

    /// The next `count` requests of type `api`, to any broker, fail with `error`.
    public func failNextRequests(_ api: KafkaAPI, count: Int = 1, with error: KafkaErrorCode) {
        var remaining = count
        while remaining > 0 {
            let batch = min(remaining, 64)
            meterd_mock_push_request_errors(cluster, api.rawValue, batch, rd_kafka_resp_err_t(error.rawValue))
            remaining -= batch
        }
    }

    /// The next request of type `api` to broker `brokerId` fails with `error`
    /// after an artificial delay.
    public func failNextRequest(_ api: KafkaAPI, onBroker brokerId: Int32, with error: KafkaErrorCode, delayMillis: Int = 0) throws(KafkaError) {
        let err = meterd_mock_broker_push_request_error(cluster, brokerId, api.rawValue, rd_kafka_resp_err_t(error.rawValue), Int32(delayMillis))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, client: nil, operation: "inject error") }
    }

    /// Forgets every injected request error of type `api`.
    public func clearInjectedErrors(_ api: KafkaAPI) {
        rd_kafka_mock_clear_request_errors(cluster, api.rawValue)
    }

    /// Takes a broker down (its connections close and it refuses new ones) or brings it back.
    public func setBroker(_ brokerId: Int32, up: Bool) throws(KafkaError) {
        let err = up ? rd_kafka_mock_broker_set_up(cluster, brokerId) : rd_kafka_mock_broker_set_down(cluster, brokerId)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, client: nil, operation: "set broker \(brokerId) \(up ? "up" : "down")") }
    }

    /// Adds round-trip latency to every response of a broker.
    public func setRoundTripTime(_ brokerId: Int32, millis: Int) throws(KafkaError) {
        let err = rd_kafka_mock_broker_set_rtt(cluster, brokerId, Int32(millis))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, client: nil, operation: "set rtt") }
    }

    /// Makes metadata requests report `error` for a topic (or clears it with `nil`).
    public func setTopicError(_ topic: String, _ error: KafkaErrorCode?) {
        rd_kafka_mock_topic_set_error(cluster, topic, rd_kafka_resp_err_t(error?.rawValue ?? 0))
    }

    /// Moves the leader of a partition to another broker.
    public func setPartitionLeader(_ topic: String, partition: Int32, brokerId: Int32) throws(KafkaError) {
        let err = rd_kafka_mock_partition_set_leader(cluster, topic, partition, brokerId)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err, client: nil, operation: "set leader") }
    }
}
