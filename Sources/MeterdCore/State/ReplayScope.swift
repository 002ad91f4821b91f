/// The windows an ops replay rebuilds in one aggregation partition
/// (`meterd replay`): their state was dropped when the replay was planned,
/// and the re-read input fills them again.
///
/// Re-read records outside the scope were already counted and are skipped;
/// rollups of windows inside it are re-emitted with revisions above every
/// revision the partition had emitted before (`revisionBase`), so a
/// downstream "latest revision wins" consumer takes the rebuilt values.
public struct ReplayScope: Sendable, Equatable {
    /// First window start rebuilt.
    public var fromWindowStart: Int64
    /// First window start no longer rebuilt.
    public var untilWindowStart: Int64
    /// Greatest revision the partition had emitted when the replay was planned.
    public var revisionBase: Int

    public init(fromWindowStart: Int64, untilWindowStart: Int64, revisionBase: Int) {
        self.fromWindowStart = fromWindowStart
        self.untilWindowStart = untilWindowStart
        self.revisionBase = revisionBase
    }

    public func contains(windowStart: Int64) -> Bool {
        windowStart >= fromWindowStart && windowStart < untilWindowStart
    }
}

/// What `PartitionAggregator.prepareReplay` did to one partition's state.
public struct ReplayPreparation: Sendable, Equatable {
    /// The windows rebuilt by re-read records.
    public var scope: ReplayScope
    /// (customer, window) states dropped.
    public var droppedWindows: Int
    /// Stream time before and after the rewind.
    public var streamTimeBefore: Int64
    public var streamTimeAfter: Int64
}
