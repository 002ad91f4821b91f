extension PartitionAggregator {
    /// Marks every customer with state as changed, so the next
    /// `takeStateChanges()` carries the whole state. The pipeline does this
    /// now and then so a changelog that is not compacted (or that retention
    /// trims) always holds a complete copy after its latest full refresh.
    public mutating func markAllCustomersChanged() {
        changedCustomers.formUnion(customers.keys)
    }

}
