import Crdkafka
import Logging

/// Finds the first offset of a partition whose record timestamp is at or
/// after a time by reading the partition: the fallback for brokers that do
/// not index timestamps (librdkafka's mock cluster).
struct TimestampScan {
    let configuration: KafkaConfiguration
    let logger: Logger

    func firstOffset(in partition: TopicPartition, atOrAfter time: Int64, low: Int64, high: Int64, timeoutMillis: Int32) throws(KafkaError) -> Int64 {
        let consumer = try KafkaConsumer(configuration: configuration.manualReader(isolationLevel: "read_uncommitted"), logger: logger)
        try consumer.assign([partition: low])
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutMillis) * 10)
        while ContinuousClock.now < deadline {
            switch consumer.poll(timeoutMillis: 100) {
            case .record(let record)?:
                if let timestamp = record.timestampMillis, timestamp >= time { return record.offset }
                if record.offset + 1 >= high { return high }
            case .endOfPartition(_, let offset)?:
                if offset >= high { return high }
            case .error(let error, _)?:
                if error.isFatal { throw error }
            case nil:
                continue
            }
        }
        throw KafkaError.timedOut(operation: "offsets for times", message: "timestamp scan of \(partition) did not finish")
    }
}
