import Foundation
import Logging
import MeterdKafka

/// Reads every record of the given topics, from the beginning up to the high
/// watermarks taken when `collect` starts, with `read_committed`, keeping
/// the records whole (key, value, headers) for format checks.
enum RawOutputCollector {
    static func collect(bootstrap: String, topics: [String], timeout: Duration = .seconds(60)) throws -> [ConsumedRecord] {
        var logger = Logger(label: "meterd.e2e.raw")
        logger.logLevel = .critical
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(bootstrap: bootstrap, ["isolation.level": "read_committed", "auto.offset.reset": "earliest"]),
            logger: logger
        )
        defer { try? consumer.close() }
        let counts = try consumer.topicPartitionCounts(timeoutMillis: 10_000)
        var remaining: [TopicPartition: Int64] = [:]
        for topic in topics {
            guard let partitions = counts[topic] else { throw E2EFailure("topic \(topic) does not exist") }
            for partition in 0..<Int32(partitions) {
                let topicPartition = TopicPartition(topic, partition)
                let (low, high) = try consumer.watermarks(topicPartition, timeoutMillis: 10_000)
                if high > low { remaining[topicPartition] = high }
            }
        }
        try consumer.assign(Dictionary(uniqueKeysWithValues: remaining.keys.map { ($0, KafkaOffset.beginning) }))
        var records: [ConsumedRecord] = []
        let deadline = ContinuousClock.now + timeout
        while !remaining.isEmpty {
            guard ContinuousClock.now < deadline else {
                throw E2EFailure("collecting outputs timed out; not at the end of \(remaining.keys.map(\.description).sorted())")
            }
            if case .record(let record)? = consumer.poll(timeoutMillis: 100) {
                records.append(record)
            }
            // Transaction markers occupy offsets that are never delivered: go by position.
            let positions = try consumer.position(Array(remaining.keys))
            for (partition, high) in remaining where (positions[partition] ?? nil).map({ $0 >= high }) == true {
                remaining[partition] = nil
            }
        }
        return records
    }
}
