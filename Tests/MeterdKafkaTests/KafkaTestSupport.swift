import Logging
import MeterdKafka
import Synchronization

/// Helpers shared by the Kafka tests: a broker per test, unique names, and
/// bounded polling loops.
enum KafkaTestSupport {
    private static let counter = Atomic<Int>(0)

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(counter.add(1, ordering: .relaxed).newValue)"
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "meterd.test")
        logger.logLevel = .critical
        return logger
    }

    static func producer(_ broker: EmbeddedBroker, _ extra: [String: String] = [:]) throws -> KafkaProducer {
        try KafkaProducer(configuration: KafkaConfiguration(bootstrap: broker.bootstrap, extra), logger: quietLogger)
    }

    static func consumer(
        _ broker: EmbeddedBroker,
        group: String?,
        listener: RebalanceListener? = nil,
        _ extra: [String: String] = [:]
    ) throws -> KafkaConsumer {
        var properties = ["auto.offset.reset": "earliest", "topic.metadata.refresh.interval.ms": "500"]
        if let group {
            properties["group.id"] = group
            // The embedded broker answers a late SyncGroup with
            // REBALANCE_IN_PROGRESS and then elects only after
            // session.timeout.ms - 1 s: 44 s with the default, as long as
            // `consume`'s whole wait (docs/pipeline.md).
            properties["session.timeout.ms"] = "6000"
        }
        return try KafkaConsumer(
            configuration: KafkaConfiguration(bootstrap: broker.bootstrap, properties.merging(extra) { _, new in new }),
            listener: listener,
            logger: quietLogger
        )
    }

    /// Polls until `count` records arrived or `timeoutMillis` passed.
    static func consume(_ consumer: KafkaConsumer, count: Int, timeoutMillis: Int = 45_000) -> [ConsumedRecord] {
        var records: [ConsumedRecord] = []
        let deadline = ContinuousClock.now + .milliseconds(timeoutMillis)
        while records.count < count, ContinuousClock.now < deadline {
            if case .record(let record)? = consumer.poll(timeoutMillis: 100) {
                records.append(record)
            }
        }
        return records
    }

    /// Polls until a record satisfies `done` (included) or `timeoutMillis` passed.
    static func consume(_ consumer: KafkaConsumer, until done: (ConsumedRecord) -> Bool, timeoutMillis: Int = 45_000) -> [ConsumedRecord] {
        var records: [ConsumedRecord] = []
        let deadline = ContinuousClock.now + .milliseconds(timeoutMillis)
        while ContinuousClock.now < deadline {
            if case .record(let record)? = consumer.poll(timeoutMillis: 100) {
                records.append(record)
                if done(record) { break }
            }
        }
        return records
    }

    /// Polls for `durationMillis`, collecting whatever arrives.
    static func drain(_ consumer: KafkaConsumer, durationMillis: Int) -> [ConsumedRecord] {
        var records: [ConsumedRecord] = []
        let deadline = ContinuousClock.now + .milliseconds(durationMillis)
        while ContinuousClock.now < deadline {
            if case .record(let record)? = consumer.poll(timeoutMillis: 50) { records.append(record) }
        }
        return records
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    static func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
}

/// Records every rebalance callback it receives.
final class RecordingListener: RebalanceListener {
    var assigned: [TopicPartition] = []
    var revokedCount = 0
    var startOffsets: [TopicPartition: Int64] = [:]

    func partitionsAssigned(_ partitions: [TopicPartition], by consumer: KafkaConsumer) -> [TopicPartition: Int64] {
        assigned.append(contentsOf: partitions)
        assigned.sort()
        return startOffsets
    }

    func partitionsRevoked(_ partitions: [TopicPartition], lost: Bool, by consumer: KafkaConsumer) {
        revokedCount += 1
        assigned.removeAll { partitions.contains($0) }
    }
}
