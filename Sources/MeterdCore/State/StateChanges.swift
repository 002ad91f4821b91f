/// One record of the aggregator's state for a compacted changelog: an
/// opaque key (only the core parses it) and its encoded value, or `nil` (a
/// tombstone) when the state under that key is gone.
public struct StateRecord: Sendable, Equatable {
    public var key: [UInt8]
    public var value: [UInt8]?

    public init(key: [UInt8], value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

/// What changed since the last `takeStateChanges()`: the partition header
/// (stream time and emission watermark, always included, a few bytes) and
/// the state records written or removed, sorted by key.
///
/// Restoring from the header and the latest value of every key
/// (`init(compiled:header:records:)`) gives the aggregator back.
public struct AggregatorStateChanges: Sendable, Equatable {
    public var header: [UInt8]
    public var records: [StateRecord]

    public init(header: [UInt8], records: [StateRecord]) {
        self.header = header
        self.records = records
    }
}

/// What changed in one (customer, window) since the last `takeStateChanges()`.
struct WindowChange: Sendable {
    /// The groups (accumulators, revisions, dirty flags) changed, or the window is new.
    var rewriteGroups = false
    /// First position in the window's `dedupe` not written since; `Int.max` when none.
    var firstNewDedupe = Int.max
}

extension PartitionAggregator {
    /// The records changed since the last call (a (customer, window)'s
    /// groups, the dedupe chunks from the first one that gained entries,
    /// a customer's quota state, tombstones for dropped state) and the
    /// header; resets the tracking. Costs O(changed windows × (groups +
    /// one partial chunk)), whatever the size of the rest of the state.
    public mutating func takeStateChanges() -> AggregatorStateChanges {
        let capacity = StateKey.chunkCapacity
        var records: [StateRecord] = []
        let compiled = self.compiled
        for ref in changedWindows {
            // Encoded in place: the window's group caches are filled without copying its groups.
            // Through an index: `customers[key]?.…` moves the customer's state out and back.
            guard let position = customers.index(forKey: ref.customer) else { continue }
            customers[slot: position].visitWindow(start: ref.windowStart) { window in
                let change = window.pendingChange ?? WindowChange()
                window.pendingChange = nil
                if change.rewriteGroups {
                    let value = window.encodeRecord(compiled: compiled)
                    records.append(StateRecord(key: window.stateKeys.window(customer: ref.customer, windowStart: ref.windowStart), value: value))
                }
                let dedupeCount = window.dedupe.count
                guard change.firstNewDedupe < dedupeCount else { return }
                for chunk in (change.firstNewDedupe / capacity)...((dedupeCount - 1) / capacity) {
                    let key = window.stateKeys.dedupeChunk(customer: ref.customer, windowStart: ref.windowStart, chunk: chunk)
                    records.append(StateRecord(key: key, value: Self.encodeDedupeChunk(window.dedupe, chunk: chunk)))
                }
            }
        }
        for (ref, entries) in droppedWindows {
            records.append(StateRecord(key: StateKey.window(customer: ref.customer, windowStart: ref.windowStart).bytes, value: nil))
            for chunk in 0..<((entries + capacity - 1) / capacity) {
                let key = StateKey.dedupeChunk(customer: ref.customer, windowStart: ref.windowStart, chunk: chunk)
                records.append(StateRecord(key: key.bytes, value: nil))
            }
        }
        for customer in changedQuotas {
            guard let position = customers.index(forKey: customer) else {
                records.append(StateRecord(key: StateKey.quotas(customer: customer).bytes, value: nil))
                continue
            }
            let (quotas, key) = customers[slot: position].unlistChangedQuotas(customer: customer)
            records.append(StateRecord(key: key, value: quotas.isEmpty ? nil : encodeQuotaRecord(quotas)))
        }
        changedWindows.removeAll(keepingCapacity: true)
        droppedWindows.removeAll(keepingCapacity: true)
        changedQuotas.removeAll(keepingCapacity: true)
        records.sort { Self.keyPrecedes($0.key, $1.key) }
        return AggregatorStateChanges(header: stateHeader(), records: records)
    }

    /// Byte-wise order of two keys, as `lexicographicallyPrecedes`, compared
    /// 8 bytes at a time (keys of one customer share their first bytes).
    static func keyPrecedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in
                let common = min(x.count, y.count)
                var offset = 0
                while offset + 8 <= common {
                    let u = UInt64(bigEndian: x.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                    let v = UInt64(bigEndian: y.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                    if u != v { return u < v }
                    offset += 8
                }
                while offset < common {
                    if x[offset] != y[offset] { return x[offset] < y[offset] }
                    offset += 1
                }
                return x.count < y.count
            }
        }
    }

    /// Every live record, sorted by key (what a full refresh writes, without tombstones).
    func liveRecords() -> [StateRecord] {
        var all = self
        all.changedWindows = []
        all.droppedWindows = [:]
        all.changedQuotas = []
        all.markAllStateChanged()
        return all.takeStateChanges().records
    }

    /// Notes that a window's state was dropped: its keys get tombstones.
    mutating func noteDropped(_ ref: WindowRef, dedupeEntries: Int) {
        changedWindows.remove(ref)
        droppedWindows[ref] = dedupeEntries
    }
}
