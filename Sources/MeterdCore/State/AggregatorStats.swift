/// Counters the pipeline exports as metrics; process-local (not part of
/// snapshots), monotone while the aggregator lives.
public struct AggregatorStats: Sendable, Equatable {
    /// Later copies of an already counted (source, id), dropped.
    public var dedupedEvents: Int64 = 0
    /// Accepted events that landed in an already emitted window.
    public var lateAcceptedEvents: Int64 = 0
    /// Re-emissions of an already emitted (customer, window) at a flush.
    public var lateUpdatedWindows: Int64 = 0
    /// Rollup revisions above 1 emitted (a late-updated window's rollups).
    public var lateUpdatedRollups: Int64 = 0
    /// Records rejected as `too_late`.
    public var tooLateRejects: Int64 = 0
    /// Records re-read by a replay outside the rebuilt windows, skipped.
    public var replaySkippedEvents: Int64 = 0

    public init() {}
}

/// What ingesting one record did.
public enum IngestResult: Sendable, Equatable {
    /// Counted; `quotaEvents` are the announcements it triggered, in order.
    case accepted(quotaEvents: [QuotaEvent])
    /// A later copy of a counted (source, id): dropped, not dead-lettered.
    case duplicate
    /// Dead-letter the original input record with this reason.
    case rejected(RejectReason)
    /// A record re-read by an ops replay for a window the replay does not
    /// rebuild: it was counted before, so it is skipped.
    case alreadyCounted
}

/// Size of an aggregator's state, for metrics and `meterd status`.
public struct AggregatorStateSize: Sendable, Equatable {
    /// (customer, window) pairs with live state.
    public var openWindows: Int
    public var rollupGroups: Int
    public var dedupeEntries: Int
    public var quotaPeriods: Int
    /// A rough estimate of the memory held, in bytes.
    public var approximateBytes: Int
}
