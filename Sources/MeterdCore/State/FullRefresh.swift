extension PartitionAggregator {
    /// Marks all live state as changed, so the next `takeStateChanges()`
    /// carries every live key (plus any pending tombstones). The pipeline
    /// does this now and then so a changelog that is not compacted (or that
    /// retention trims) always holds a complete copy after its latest full
    /// refresh. Dedupe chunks are cut by position, so a refresh rewrites
    /// the same keys.
    public mutating func markAllStateChanged() {
        for (customer, state) in customers {
            for start in state.windows.keys {
                changedWindows[WindowRef(customer: customer, windowStart: start)] = WindowChange(rewriteGroups: true, firstNewDedupe: 0)
            }
            if !state.quotas.isEmpty { changedQuotas.insert(customer) }
        }
    }
}
