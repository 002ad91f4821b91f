import MeterdCore

/// The aggregation stage of one repartition partition: its aggregator, its
/// input position, the origins it already applied, and changelog
/// bookkeeping. Confined to the processing thread.
final class AggregationTask {
    let partition: Int32
    var aggregator: PartitionAggregator
    /// Next repartition offset to read.
    var nextOffset: Int64
    /// Greatest applied origin offset per input partition.
    private(set) var appliedOrigins: [OriginPartition: Int64]
    /// The origin partition `markAppliedIfNew` saw last and its index in
    /// `appliedOrigins` (which only that method changes): records come in
    /// runs per origin partition, and within a run no topic name is hashed.
    private var lastApplied: (origin: OriginPartition, index: Dictionary<OriginPartition, Int64>.Index)?
    /// Origin offsets at or below which records are re-read by an ops replay.
    var replayedOrigins: [OriginPartition: Int64]
    /// Before `rereadCopiesStartOffset`, repartitioned copies of origins at or
    /// after these rewind points are skipped: their re-read copies follow.
    var rewoundOrigins: [OriginPartition: Int64]
    var rereadCopiesStartOffset: Int64?
    /// True when something changed since the last checkpoint.
    var hasUncheckpointedChanges = false
    /// Changelog bytes written since the last full refresh.
    var changelogBytesSinceRefresh = 0
    var lastRefreshBytes = 0
    /// True while the open transaction rewrites every customer.
    var refreshInProgress = false

    init(
        partition: Int32, aggregator: PartitionAggregator, nextOffset: Int64,
        appliedOrigins: [OriginPartition: Int64], replayedOrigins: [OriginPartition: Int64] = [:],
        rewoundOrigins: [OriginPartition: Int64] = [:], rereadCopiesStartOffset: Int64? = nil
    ) {
        self.partition = partition
        self.aggregator = aggregator
        self.nextOffset = nextOffset
        self.appliedOrigins = appliedOrigins
        self.replayedOrigins = replayedOrigins
        self.rewoundOrigins = rewoundOrigins
        self.rereadCopiesStartOffset = rereadCopiesStartOffset
    }

    /// True for a repartitioned record written before an ops replay whose
    /// origin the replay rewound past: stage 1 sends it again.
    func isSupersededByReplay(_ origin: RecordOrigin, repartitionOffset: Int64) -> Bool {
        guard let start = rereadCopiesStartOffset else { return false }
        guard repartitionOffset < start else {
            rereadCopiesStartOffset = nil
            rewoundOrigins = [:]
            return false
        }
        guard let rewound = rewoundOrigins[OriginPartition(topic: origin.topic, partition: origin.partition)] else { return false }
        return origin.offset >= rewound
    }

    /// True when `origin` was processed before an ops replay rewound its
    /// input; forgets the replay's mark for that input once passed, so call
    /// it once per record.
    func isReplayed(_ origin: RecordOrigin) -> Bool {
        guard !replayedOrigins.isEmpty else { return false }
        let key = OriginPartition(topic: origin.topic, partition: origin.partition)
        guard let last = replayedOrigins[key] else { return false }
        if origin.offset >= last { replayedOrigins[key] = nil }
        return origin.offset <= last
    }

    /// False when a repartitioned copy of `origin` was already applied;
    /// otherwise records it as applied and returns true. Stage 2 asks this
    /// for every usage record: at most one dictionary lookup.
    func markAppliedIfNew(_ origin: RecordOrigin) -> Bool {
        if let last = lastApplied, last.origin.partition == origin.partition, last.origin.topic == origin.topic {
            return Self.advance(&appliedOrigins.values[last.index], to: origin.offset)
        }
        let key = OriginPartition(topic: origin.topic, partition: origin.partition)
        let isNew = Self.advance(&appliedOrigins[key, default: -1], to: origin.offset)
        lastApplied = appliedOrigins.index(forKey: key).map { (key, $0) }
        return isNew
    }

    private static func advance(_ applied: inout Int64, to offset: Int64) -> Bool {
        guard offset > applied else { return false }
        applied = offset
        return true
    }

    /// A full refresh is due once the changelog has grown by more than the
    /// state itself (and at least 256 KiB) since the last one, which keeps a
    /// complete copy within any retention of a few MiB.
    var needsFullRefresh: Bool {
        changelogBytesSinceRefresh >= max(256 * 1024, lastRefreshBytes)
    }
}
