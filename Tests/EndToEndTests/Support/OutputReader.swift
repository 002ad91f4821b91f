import Foundation
import Logging
import MeterdKafka

/// Reads usage.rollups, usage.quota and usage.dlq from the beginning with
/// `read_committed` and keeps what a downstream consumer would: the last
/// record per rollup key by offset (what compaction keeps), quota events by
/// identity, dead letters by reason and original coordinates.
///
/// On the embedded broker aborted records are visible (SPEC section 6), so
/// repeats of a quota identity or dead-letter coordinate are tolerated, as
/// are superseded rollup revisions; only the latest values are compared.
final class OutputReader {
    struct Rollup {
        var partition: Int32
        var offset: Int64
        var value: RollupValue
        var revision: Int
        var fieldsMatchKey: Bool
    }

    private let consumer: KafkaConsumer
    private(set) var rollups: [String: Rollup] = [:]
    private(set) var quota: [QuotaIdentity: Int] = [:]
    private(set) var deadLetters: [DeadLetterIdentity: (key: [UInt8]?, value: [UInt8]?)] = [:]
    private(set) var recordCount = 0
    /// Records that could not be parsed, or a rollup key seen on two partitions.
    private(set) var problems: [String] = []

    init(bootstrap: String) throws {
        var logger = Logger(label: "meterd.e2e.reader")
        logger.logLevel = .critical
        consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(bootstrap: bootstrap, ["isolation.level": "read_committed", "auto.offset.reset": "earliest"]),
            logger: logger
        )
        var start: [TopicPartition: Int64] = [:]
        let counts = try consumer.topicPartitionCounts(timeoutMillis: 10_000)
        for topic in ["usage.rollups", "usage.quota", "usage.dlq"] {
            for partition in 0..<Int32(counts[topic] ?? 0) { start[TopicPartition(topic, partition)] = KafkaOffset.beginning }
        }
        try consumer.assign(start)
    }

    /// Reads whatever arrives for `duration`.
    func poll(for duration: Duration) {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            guard case .record(let record)? = consumer.poll(timeoutMillis: 50) else { continue }
            recordCount += 1
            switch record.topic {
            case "usage.rollups": readRollup(record)
            case "usage.quota": readQuota(record)
            default: readDeadLetter(record)
            }
        }
    }

    private func data(of record: ConsumedRecord) -> (envelope: [String: Any], data: [String: Any])? {
        guard let value = record.value,
              let envelope = (try? JSONSerialization.jsonObject(with: Data(value))) as? [String: Any],
              let data = envelope["data"] as? [String: Any]
        else {
            problems.append("unparsable record at \(record.topic)[\(record.partition)]@\(record.offset)")
            return nil
        }
        return (envelope, data)
    }

    private func readRollup(_ record: ConsumedRecord) {
        guard let key = record.key.map({ String(decoding: $0, as: UTF8.self) }), let (envelope, data) = data(of: record) else { return }
        if let previous = rollups[key], previous.partition != record.partition {
            problems.append("rollup key \(key) on partitions \(previous.partition) and \(record.partition)")
        }
        let parts = key.split(separator: "/").map(String.init)
        let windowStart = (data["windowStart"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }
        let fieldsMatch = parts.count >= 3
            && data["customer"] as? String == parts[0] && data["feature"] as? String == parts[1]
            && envelope["type"] as? String == "meter.rollup"
            && windowStart.map { Int64($0.timeIntervalSince1970 * 1_000) } == Int64(parts[2])
        rollups[key] = Rollup(
            partition: record.partition,
            offset: record.offset,
            value: RollupValue(
                value: (data["value"] as? NSNumber)?.doubleValue ?? .nan,
                eventCount: (data["eventCount"] as? NSNumber)?.intValue ?? -1,
                subjects: data["subjects"] as? [String] ?? []
            ),
            revision: (data["revision"] as? NSNumber)?.intValue ?? 0,
            fieldsMatchKey: fieldsMatch
        )
    }

    private func readQuota(_ record: ConsumedRecord) {
        guard let (envelope, data) = data(of: record) else { return }
        let identity = QuotaIdentity(
            type: envelope["type"] as? String ?? "?",
            customer: data["customer"] as? String ?? "?",
            feature: data["feature"] as? String ?? "?",
            periodStart: data["periodStart"] as? String ?? "?",
            threshold: (data["threshold"] as? NSNumber)?.intValue ?? -1
        )
        if record.key.map({ String(decoding: $0, as: UTF8.self) }) != identity.customer {
            problems.append("quota event keyed \(record.key.map { String(decoding: $0, as: UTF8.self) } ?? "nil") for \(identity)")
        }
        quota[identity, default: 0] += 1
    }

    private func readDeadLetter(_ record: ConsumedRecord) {
        func header(_ name: String) -> String { record.header(name)?.stringValue ?? "?" }
        let identity = DeadLetterIdentity(
            reason: header("meterd.reason"),
            topic: header("meterd.topic"),
            partition: Int32(header("meterd.partition")) ?? -1,
            offset: Int64(header("meterd.offset")) ?? -1
        )
        if let previous = deadLetters[identity], previous.value != record.value || previous.key != record.key {
            problems.append("dead letter \(identity) repeated with different bytes")
        }
        deadLetters[identity] = (record.key, record.value)
    }
}
