extension PartitionAggregator {
    /// Prepares the partition for an ops replay of the input from
    /// `fromMillis` (event time), optionally only up to `untilMillis`
    /// (exclusive): drops the state of every window in that range (with
    /// tombstones at the next `takeStateChanges()`), rewinds stream time to
    /// the range's first window so re-read events are accepted again, and
    /// records the scope so that re-read records outside it are skipped and
    /// rollups inside it are re-emitted with revisions above every earlier one.
    ///
    /// Windows after the partition's stream time were never emitted and are
    /// left alone. Quota usage and announcements are kept: re-read records
    /// were counted toward quotas the first time (SPEC section 4's
    /// announcements are monotone, a replay cannot retract one).
    /// - Returns: `nil` when the partition holds nothing in the range.
    public mutating func prepareReplay(fromMillis: Int64, untilMillis: Int64? = nil) -> ReplayPreparation? {
        guard let streamTime = clock.streamTimeMillis else { return nil }
        let windows = compiled.windows
        let from = windows.windowStart(containing: fromMillis)
        var until = windows.windowEnd(ofStart: windows.windowStart(containing: streamTime))
        if let untilMillis {
            until = min(until, windows.windowEnd(ofStart: windows.windowStart(containing: TimeArithmetic.subtract(untilMillis, 1))))
        }
        guard from < until else { return nil }
        var base = maxEmittedRevision
        for state in customers.values {
            for window in state.windows.values {
                for group in window.groups.values { base = max(base, group.revision) }
            }
        }
        let scope = ReplayScope(fromWindowStart: from, untilWindowStart: until, revisionBase: base)
        // A new replay replaces the last one's scope: run one replay at a time (until the group has caught up).
        replayScope = scope
        var dropped = 0
        for start in windowIndex.keys.filter({ scope.contains(windowStart: $0) }) {
            for customer in windowIndex.removeValue(forKey: start) ?? [] {
                let ref = WindowRef(customer: customer, windowStart: start)
                noteDropped(ref, dedupeEntries: customers[customer]?.dropWindow(start: start) ?? 0)
                lateDirty.remove(ref)
                if customers[customer]?.isEmpty == true { customers[customer] = nil }
                dropped += 1
            }
        }
        clock.rewind(to: from)
        if let flushed = flushedStreamTimeMillis { flushedStreamTimeMillis = min(flushed, from) }
        return ReplayPreparation(
            scope: scope, droppedWindows: dropped,
            streamTimeBefore: streamTime, streamTimeAfter: clock.streamTimeMillis ?? streamTime
        )
    }
}
