/// The aggregation stage of one repartition partition: dedupes usage records,
/// aggregates them per customer and feature in event-time tumbling windows,
/// tracks quotas, and returns rollup revisions, quota events and rejects as
/// values (SPEC sections 3–4). It never does I/O and never reads a clock.
///
/// The pipeline owns one per partition and drives it from one thread:
/// `ingest` per record, `advance(wallClockMillis:)` regularly, then, before
/// each transaction commit, `flush()` for the rollups and
/// `takeStateChanges()` for the changelog.
public struct PartitionAggregator: Sendable {
    /// A (customer, window) with state.
    struct WindowRef: Hashable, Sendable {
        var customer: String
        var windowStart: Int64
    }

    public let compiled: CompiledConfiguration
    public internal(set) var clock: StreamClock
    /// Stream time at the last flush: every window with close time ≤ this
    /// has been emitted.
    public internal(set) var flushedStreamTimeMillis: Int64?
    public internal(set) var customers = CustomerTable()
    public internal(set) var stats = AggregatorStats()
    /// Greatest revision this partition ever emitted (replays number above it).
    public internal(set) var maxEmittedRevision = 0
    /// The windows the last ops replay rebuilds, if any.
    public internal(set) var replayScope: ReplayScope?
    /// Window start → customers with state in it (closing and expiry sweep these).
    var windowIndex: [Int64: Set<String>] = [:]
    /// Emitted windows changed since the last flush.
    var lateDirty: Set<WindowRef> = []
    /// Customers holding quota periods, and the earliest period expiry among them.
    var quotaCustomers: Set<String> = []
    var nextQuotaExpiry: Int64?
    /// Changelog tracking since the last `takeStateChanges()`: windows
    /// changed (what changed is the window's `pendingChange`), windows
    /// dropped (with their dedupe entry count), customers whose quota state changed.
    var changedWindows: Set<WindowRef> = []
    var droppedWindows: [WindowRef: Int] = [:]
    var changedQuotas: Set<String> = []
    /// The shared breakdown arrays of every group key in `customers`.
    var breakdowns = BreakdownInterner()

    public init(configuration: MeterdConfiguration) {
        self.init(compiled: CompiledConfiguration(configuration))
    }

    public init(compiled: CompiledConfiguration) {
        self.compiled = compiled
        clock = StreamClock(idleTimeoutMillis: compiled.configuration.windows.idleTimeoutMillis)
    }

    public var streamTimeMillis: Int64? { clock.streamTimeMillis }

    /// Counts one record, or says why not. Quota announcements are returned
    /// at once; rollups wait for `flush()`.
    ///
    /// `replayed`: the record is re-read by an ops replay (it was processed
    /// before the replay was planned). Outside the replay's windows it is
    /// skipped without moving stream time; inside, it rebuilds the rollups
    /// but not quota usage, which counted it the first time.
    public mutating func ingest(_ record: UsageRecord, replayed: Bool = false) -> IngestResult {
        if let reason = compiled.validate(record) { return .rejected(reason) }
        let windows = compiled.windows
        if replayed, !(replayScope?.contains(windowStart: windows.windowStart(containing: record.eventTimeMillis)) ?? false) {
            // Not observed by the clock: the rebuilt windows' stream time comes
            // from their own records, so a replayed range accepts records that
            // arrived too late the first time (e.g. after a gateway outage).
            stats.replaySkippedEvents += 1
            return .alreadyCounted
        }
        guard windows.accepts(eventTimeMillis: record.eventTimeMillis, streamTimeMillis: clock.streamTimeMillis) else {
            stats.tooLateRejects += 1
            return .rejected(.tooLate)
        }
        clock.observe(eventTimeMillis: record.eventTimeMillis)
        let start = windows.windowStart(containing: record.eventTimeMillis)
        var quotaEvents: [QuotaEvent] = []
        let slot = customers.slot(of: record.customer, default: CustomerState())
        let outcome = customers[slot: slot].accept(
            record, windowStart: start, compiled: compiled, countsTowardQuotas: !replayed, breakdowns: &breakdowns,
            quotaEvents: &quotaEvents
        )
        switch outcome {
        case .duplicate:
            stats.dedupedEvents += 1
            return .duplicate
        case .accepted(let newWindow, let changedRollup, let quotaExpiry, let listings):
            let late = isEmitted(windowStart: start)
            if late { stats.lateAcceptedEvents += 1 }
            if let quotaExpiry { nextQuotaExpiry = min(nextQuotaExpiry ?? quotaExpiry, quotaExpiry) }
            let lateChange = late && changedRollup
            let quotaCustomer = quotaExpiry != nil && listings.quotaCustomers
            // Most records list nothing new: the customer key is copied (a
            // retain, atomic beyond 15 bytes) only for a set it joins.
            if listings.changedWindows || listings.changedQuotas || newWindow || lateChange || quotaCustomer {
                list(record.customer, windowStart: start, listings: listings, newWindow: newWindow, lateChange: lateChange,
                     quotaCustomer: quotaCustomer)
            }
            return .accepted(quotaEvents: quotaEvents)
        }
    }

    /// Adds a customer (or its window) to the sets an accepted record put it in.
    @inline(never)
    private mutating func list(
        _ customer: String, windowStart start: Int64, listings: CustomerState.QuotaListings,
        newWindow: Bool, lateChange: Bool, quotaCustomer: Bool
    ) {
        let ref = WindowRef(customer: customer, windowStart: start)
        if listings.changedWindows { changedWindows.insert(ref) }
        if listings.changedQuotas { changedQuotas.insert(customer) }
        if newWindow { windowIndex[start, default: []].insert(customer) }
        if lateChange { lateDirty.insert(ref) }
        if quotaCustomer { quotaCustomers.insert(customer) }
    }

    /// Idle advance from the injected wall clock (SPEC section 4).
    /// - Returns: whether stream time moved (windows may now be due at `flush()`).
    @discardableResult
    public mutating func advance(wallClockMillis: Int64) -> Bool {
        clock.advance(wallClockMillis: wallClockMillis)
    }

    /// Emits revision 1 of every window closed since the last flush and a new
    /// revision (complete value) of every emitted rollup changed since, then
    /// drops expired state. Outputs are ordered by window, customer,
    /// feature, breakdown.
    public mutating func flush() -> [RollupRevision] {
        guard let streamTime = clock.streamTimeMillis else { return [] }
        let windows = compiled.windows
        var refs: [WindowRef] = []
        for (start, names) in windowIndex {
            let close = windows.closeTime(ofStart: start)
            guard close <= streamTime, !isEmitted(windowStart: start) else { continue }
            for customer in names { refs.append(WindowRef(customer: customer, windowStart: start)) }
        }
        refs.append(contentsOf: lateDirty)
        stats.lateUpdatedWindows += Int64(lateDirty.count)
        lateDirty.removeAll(keepingCapacity: true)
        // Windows sorted first (each customer compared once per pair of
        // windows, not per pair of rollups), then each window's groups come
        // out in key order: the same order as sorting all rollups by
        // (window, customer, key), which is a total order.
        refs.sort { a, b in
            a.windowStart != b.windowStart ? a.windowStart < b.windowStart : CompiledFeature.utf8Less(a.customer, b.customer)
        }
        var emitted: [RollupRevision] = []
        for ref in refs { emitDirtyGroups(of: ref, into: &emitted) }
        flushedStreamTimeMillis = streamTime
        expireState(streamTime: streamTime)
        return emitted
    }

    /// Whether the window starting at `windowStart` had its revision 1 emitted.
    func isEmitted(windowStart: Int64) -> Bool {
        guard let flushed = flushedStreamTimeMillis else { return false }
        return compiled.windows.closeTime(ofStart: windowStart) <= flushed
    }

    private mutating func emitDirtyGroups(of ref: WindowRef, into out: inout [RollupRevision]) {
        // Swapped out and back so the mutation below does not copy the groups.
        guard let slot = customers.index(forKey: ref.customer),
              let position = customers[slot: slot].windows.index(forKey: ref.windowStart) else { return }
        var window = CustomerWindowState()
        swap(&window, &customers[slot: slot].windows[slot: position])
        defer { swap(&window, &customers[slot: slot].windows[slot: position]) }
        if window.noteChange(groupsChanged: true) { changedWindows.insert(ref) }
        let end = compiled.windows.windowEnd(ofStart: ref.windowStart)
        let revisionFloor = replayScope.map { $0.contains(windowStart: ref.windowStart) ? $0.revisionBase : 0 } ?? 0
        let order = window.groups.emissionOrder()
        let customer = ref.customer
        let windowStart = ref.windowStart
        var maxRevision = maxEmittedRevision
        var lateUpdated: Int64 = 0
        // Groups and features read in place: a copied group or feature retains
        // and releases every one of its arrays and strings.
        compiled.features.withUnsafeBufferPointer { features in
            window.groups.withStates { keys, states in
                for entry in order where states[Int(entry)].dirty {
                    let position = Int(entry)
                    let revision = states[position].markEmitted(floor: revisionFloor)
                    maxRevision = max(maxRevision, revision)
                    if revision > 1 { lateUpdated += 1 }
                    let featureIndex = keys[position].featureIndex
                    var breakdown: [RollupRevision.Dimension] = []
                    for (name, value) in zip(features[featureIndex].breakdownNames, keys[position].breakdown) {
                        if let value { breakdown.append(RollupRevision.Dimension(name: name, value: value)) }
                    }
                    out.append(RollupRevision(
                        customer: customer, feature: features[featureIndex].key, meter: features[featureIndex].meterSlug,
                        aggregation: features[featureIndex].aggregation, windowStartMillis: windowStart, windowEndMillis: end,
                        value: states[position].accumulator.value, eventCount: states[position].accumulator.eventCount,
                        breakdown: breakdown, revision: revision, subjects: states[position].sortedSubjects
                    ))
                }
            }
        }
        maxEmittedRevision = maxRevision
        stats.lateUpdatedRollups += lateUpdated
    }

    private mutating func expireState(streamTime: Int64) {
        let windows = compiled.windows
        let expired = windowIndex.keys.filter { windows.expiryTime(ofStart: $0) <= streamTime }
        for start in expired {
            for customer in windowIndex.removeValue(forKey: start) ?? [] {
                let entries = customers[customer]?.dropWindow(start: start) ?? 0
                noteDropped(WindowRef(customer: customer, windowStart: start), dedupeEntries: entries)
                if customers[customer]?.isEmpty == true { customers[customer] = nil }
            }
        }
        if !expired.isEmpty { purgeBreakdownsIfDue() }
        guard let due = nextQuotaExpiry, due <= streamTime else { return }
        nextQuotaExpiry = nil
        for customer in quotaCustomers {
            guard let featureIndexes = customers[customer]?.quotas.keys else { continue }
            var holdsPeriods = false
            for featureIndex in featureIndexes {
                let periodsBefore = customers[customer]?.quotas[featureIndex]?.periodCount
                if let next = customers[customer]?.quotas[featureIndex]?.expire(streamTimeMillis: streamTime, windows: windows) {
                    nextQuotaExpiry = min(nextQuotaExpiry ?? next, next)
                    holdsPeriods = true
                } else if customers[customer]?.quotas[featureIndex]?.earliestAnnouncedStart == nil {
                    customers[customer]?.quotas[featureIndex] = nil
                }
                if customers[customer]?.quotas[featureIndex]?.periodCount != periodsBefore { changedQuotas.insert(customer) }
            }
            if !holdsPeriods {
                quotaCustomers.remove(customer)
                customers[customer]?.listedInQuotaCustomers = false
            }
            if customers[customer]?.isEmpty == true { customers[customer] = nil }
        }
    }

    /// Rebuilds `breakdowns` from the live groups once dropped groups' keys
    /// may outnumber them, so it stays bounded by live state.
    mutating func purgeBreakdownsIfDue() {
        if breakdowns.needsPurge { rebuildBreakdowns() }
    }

    /// Interns the key of every group in `customers` in a fresh interner
    /// (after a restore, or to purge the keys of dropped groups).
    mutating func rebuildBreakdowns() {
        var live = BreakdownInterner()
        for customer in 0..<customers.count {
            customers[slot: customer].visitWindows { window in window.groups.internKeys(&live) }
        }
        live.rebuilt()
        breakdowns = live
    }

    /// State size for metrics; walks the state, so call it at metrics pace.
    public var stateSize: AggregatorStateSize {
        var size = AggregatorStateSize(openWindows: 0, rollupGroups: 0, dedupeEntries: 0, quotaPeriods: 0, approximateBytes: 0)
        var bytes = 0
        for (customer, state) in customers {
            bytes += 96 + customer.utf8.count
            size.openWindows += state.windows.count
            size.dedupeEntries += state.dedupe.count
            // 16 bytes in the window's list, ~24 in the customer's table (load 1/2 to 3/4).
            bytes += 40 * state.dedupe.count
            for (_, window) in state.windows {
                bytes += 64
                size.rollupGroups += window.groups.count
                // Read in place: iterating the table would copy every group (retains of its arrays).
                window.groups.values.withUnsafeBufferPointer { groups in
                    for group in groups.indices {
                        // The group's inline state: key (its breakdown array is shared, counted
                        // below), accumulator (with the sum's first partial), subjects and their recent pair.
                        bytes += 208
                        for subject in groups[group].sortedSubjects { bytes += 16 + subject.utf8.count }
                        for value in groups[group].accumulator.distinct { bytes += 32 + value.utf8.count }
                        bytes += 8 * max(0, groups[group].accumulator.sum.partialCount - 1)
                        bytes += groups[group].encoded.capacity
                    }
                }
            }
            for (_, quota) in state.quotas {
                size.quotaPeriods += quota.periodCount
                bytes += 32 + 64 * quota.periodCount
            }
        }
        size.approximateBytes = bytes + breakdowns.approximateBytes
        return size
    }
}
