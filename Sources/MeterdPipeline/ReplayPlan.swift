import MeterdCore
import MeterdKafka

/// What `meterd replay` will do (or, with `--dry-run`, would do): the input
/// partitions to rewind and, per aggregation partition, the windows whose
/// state is dropped to be rebuilt and the changelog records that say so.
public struct ReplayPlan: Sendable {
    /// One input partition moved back to the first record at or after `--from`.
    public struct InputRewind: Sendable, Equatable {
        public var partition: TopicPartition
        /// Where the group would resume: the further of the changelog position and the group offset.
        public var position: Int64
        /// Offset for the time `--from` (never after `position`).
        public var target: Int64
        /// The group's committed offset, when it has one (lowered to `target` if above it).
        public var committed: Int64?
        /// True when retention deleted records after `--from`: the replay starts at the first retained one.
        public var truncatedByRetention: Bool
        /// An earlier replay's re-read mark still pending on this input.
        public var replayedThrough: Int64?

        public var recordsToReread: Int64 { max(0, position - target) }
    }

    /// One aggregation partition's new state: a full refresh of its changelog records and a checkpoint.
    public struct PartitionReset: Sendable {
        public var partition: Int32
        /// `nil` when the partition held nothing in the range (its origins still rewind).
        public var preparation: ReplayPreparation?
        public var stateRecords: [StateRecord]
        public var checkpoint: AggregationCheckpoint
    }

    public var group: String
    public var fromMillis: Int64
    public var untilMillis: Int64?
    public var inputs: [InputRewind]
    public var partitions: [PartitionReset]
    /// Kafka timestamp of the group's latest checkpoint (its last commit).
    public var lastCommitMillis: Int64?
    /// Partitions of `<appId>-changelog` (where each input's position lives).
    public var changelogPartitions: Int32

    public var isEmpty: Bool { inputs.allSatisfy { $0.recordsToReread == 0 } && partitions.allSatisfy { $0.preparation == nil } }

    /// The plan as the command prints it.
    public var summary: String {
        let until = untilMillis.map { RFC3339.string(epochMillis: $0) } ?? "now"
        var out = "replay of group \(group): event time \(RFC3339.string(epochMillis: fromMillis)) to \(until)\n"
        out += "inputs to rewind (offset of the first record at or after --from):\n"
        if inputs.isEmpty { out += "  none: no input records after --from\n" }
        for input in inputs {
            out += "  \(input.partition): \(input.position) → \(input.target) (\(input.recordsToReread) records re-read)"
            if let committed = input.committed, committed > input.target { out += ", group offset \(committed) lowered" }
            if input.truncatedByRetention { out += ", DATA LOSS: records after --from were deleted by retention" }
            out += "\n"
        }
        out += "aggregation partitions:\n"
        for reset in partitions {
            guard let preparation = reset.preparation else {
                out += "  partition \(reset.partition): nothing in range\n"
                continue
            }
            let scope = preparation.scope
            out += "  partition \(reset.partition): windows \(RFC3339.string(epochMillis: scope.fromWindowStart)) – "
            out += "\(RFC3339.string(epochMillis: scope.untilWindowStart)) rebuilt, \(preparation.droppedWindows) window state(s) dropped, "
            out += "stream time \(RFC3339.string(epochMillis: preparation.streamTimeBefore)) → \(RFC3339.string(epochMillis: preparation.streamTimeAfter)), "
            out += "re-emitted revisions above \(scope.revisionBase)\n"
        }
        return out
    }
}
