import Logging
import MeterdCore
import MeterdKafka

/// What one changelog partition holds once read to its end.
public struct ChangelogContents: Sendable {
    /// The last checkpoint, or `nil` for a partition never checkpointed.
    public var checkpoint: AggregationCheckpoint?
    /// Kafka timestamp (epoch ms) of that checkpoint record: when its
    /// transaction was written.
    public var checkpointTimestampMillis: Int64?
    /// Latest value per state record key, as of the last checkpoint (tombstones removed).
    public var stateRecords: [[UInt8]: [UInt8]]
    /// Latest recorded position per input partition.
    public var inputPositions: [TopicPartition: Int64]
    /// Per input partition, the last offset an ops replay re-reads (from the latest position record).
    public var inputReplayedThrough: [TopicPartition: Int64] = [:]
    /// Records read.
    public var recordsRead: Int
    /// True when retention deleted records that restore needed (the data
    /// before the first retained record was not covered by a full refresh).
    public var dataLost: Bool
}

/// Reads a changelog partition from its first retained record to its end
/// (position ≥ high watermark, stepping over transaction markers).
///
/// State records count only up to the last checkpoint after them: later
/// ones belong to a transaction that never completed (SPEC section 6: the
/// embedded broker shows aborted records).
public struct ChangelogRestorer {
    let kafka: KafkaConfiguration
    let topic: String
    let logger: Logger

    public init(kafka: KafkaConfiguration, topic: String, logger: Logger) {
        self.kafka = kafka
        self.topic = topic
        self.logger = logger
    }

    public func read(partition: Int32, timeoutMillis: Int = 60_000) throws -> ChangelogContents {
        var contents = ChangelogContents(checkpoint: nil, checkpointTimestampMillis: nil, stateRecords: [:], inputPositions: [:], recordsRead: 0, dataLost: false)
        var reader = kafka.manualReader(isolationLevel: "read_committed")
        reader["auto.offset.reset"] = "earliest"
        let consumer = try KafkaConsumer(configuration: reader, logger: logger)
        let tp = TopicPartition(topic, partition)
        let (low, high) = try consumer.watermarks(tp, timeoutMillis: 10_000)
        guard high > low else { return contents }
        try consumer.assign([tp: low])
        var pending: [[UInt8]: [UInt8]?] = [:]
        var sawCheckpoint = false
        var completeRefreshSeen = low == 0
        let deadline = ContinuousClock.now + .milliseconds(timeoutMillis)
        var finished = false
        // Where the readable end was last reported, and since when nothing
        // new arrived: records past a read_committed reader's end belong to
        // transactions still open, which restore must not apply anyway.
        var stableEnd: (offset: Int64, since: ContinuousClock.Instant)?
        reading: while ContinuousClock.now < deadline {
            switch consumer.poll(timeoutMillis: 100) {
            case .record(let record)?:
                contents.recordsRead += 1
                switch try ChangelogRecord(key: record.key, value: record.value) {
                case .state(let key, let value)?:
                    pending[key] = value
                case .checkpoint(let checkpoint)?:
                    if checkpoint.isFullRefresh {
                        // Every live state record was rewritten just before this
                        // checkpoint; it is complete if we saw where it began.
                        if sawCheckpoint { completeRefreshSeen = true }
                        contents.stateRecords = [:]
                    }
                    for (key, value) in pending {
                        contents.stateRecords[key] = value
                    }
                    pending = [:]
                    contents.checkpoint = checkpoint
                    contents.checkpointTimestampMillis = record.timestampMillis
                    sawCheckpoint = true
                case .inputPosition(let topic, let inputPartition, let nextOffset, let replayedThrough)?:
                    contents.inputPositions[TopicPartition(topic, inputPartition)] = nextOffset
                    contents.inputReplayedThrough[TopicPartition(topic, inputPartition)] = replayedThrough
                case nil:
                    break
                }
                stableEnd = nil
                if record.offset + 1 >= high {
                    finished = true
                    break reading
                }
            case .endOfPartition(_, let offset)?:
                if offset >= high {
                    finished = true
                    break reading
                }
                stableEnd = (offset, ContinuousClock.now)
            case .error(let error, _)?:
                if error.isFatal { throw error }
                logger.warning("changelog restore: \(error)", metadata: ["meterd.partition": "\(partition)"])
            case nil:
                // Transaction markers take offsets too: the position can pass
                // the last record without one more record arriving.
                if let position = (try? consumer.position([tp]))?[tp] ?? nil, position >= high {
                    finished = true
                    break reading
                }
                if let end = stableEnd, ContinuousClock.now - end.since >= .seconds(3) {
                    logger.warning("changelog restore stops at the stable end; later records belong to open transactions", metadata: [
                        "meterd.changelog_partition": "\(partition)", "meterd.stable_end": "\(end.offset)", "meterd.high_watermark": "\(high)",
                    ])
                    finished = true
                    break reading
                }
            }
        }
        guard finished else {
            throw KafkaError.timedOut(operation: "restore", message: "restore of \(tp) did not reach offset \(high) in time")
        }
        contents.dataLost = !completeRefreshSeen
        try? consumer.close()
        return contents
    }
}
