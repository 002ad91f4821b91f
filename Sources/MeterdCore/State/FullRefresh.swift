extension PartitionAggregator {
    /// Marks all live state as changed, so the next `takeStateChanges()`
    /// carries every live key (plus any pending tombstones). The pipeline
    /// does this now and then so a changelog that is not compacted (or that
    /// retention trims) always holds a complete copy after its latest full
    /// refresh. Dedupe chunks are cut by position, so a refresh rewrites
    /// the same keys.
    public mutating func markAllStateChanged() {
        for customer in Array(customers.keys) {
            guard var state = customers.removeValue(forKey: customer) else { continue }
            for start in Array(state.windows.keys) {
                state.visitWindow(start: start) { $0.pendingChange = WindowChange(rewriteGroups: true, firstNewDedupe: 0) }
                changedWindows.insert(WindowRef(customer: customer, windowStart: start))
            }
            if !state.quotas.isEmpty { changedQuotas.insert(customer) }
            customers[customer] = state
        }
    }
}
