extension CustomerState {
    /// What accepting one record did to a customer's state.
    enum AcceptOutcome {
        case duplicate
        /// `newWindow`: the customer had no state for the window yet;
        /// `changedRollup`: a rollup group's value changed;
        /// `quotaExpiry`: earliest expiry of a quota period touched (nil: quotas unchanged);
        /// `listings`: the aggregator sets that must now list the customer or the window.
        case accepted(newWindow: Bool, changedRollup: Bool, quotaExpiry: Int64?, listings: QuotaListings)
    }

    /// Which of the aggregator's customer sets a quota change must add the customer to.
    struct QuotaListings {
        var changedWindows = false
        var changedQuotas = false
        var quotaCustomers = false
    }

    /// Counts a validated, not-too-late record into the window's rollups
    /// and the customer's quota periods, unless it is a duplicate. The
    /// record's groups are located (and hinted to the cache) before the
    /// dedupe check, but nothing changes until it passes. New groups' keys
    /// are interned in `breakdowns`.
    mutating func accept(
        _ record: UsageRecord, windowStart: Int64, compiled: CompiledConfiguration,
        countsTowardQuotas: Bool = true, breakdowns: inout BreakdownInterner, quotaEvents: inout [QuotaEvent]
    ) -> AcceptOutcome {
        // The window's slot and the fingerprint's table slot first, hinted to
        // the cache, so their misses overlap the fingerprint's arithmetic and
        // the group lookups (`CustomerWindowState.count`).
        let existing = windowStart == recentWindowStart ? recentWindowSlot : windows.index(forKey: windowStart, hint: recentWindowSlot)
        if let existing { windows.prefetchValue(at: existing) }
        let featureCount = compiled.features.count
        if quotaRules != nil { Prefetch.elements(of: &quotaRules!, count: featureCount) }
        quotas.prefetch(featureCount: featureCount)
        let fingerprint = DedupeFingerprint(source: record.source, id: record.eventID)
        dedupe.prefetch(fingerprint)
        var counted = CustomerWindowState.Counted()
        // The hint follows the newest window: a late record leaves it there,
        // for the records after it (and for sizing the next new window).
        let newest = windowStart >= recentWindowStart
        if let existing {
            if newest {
                recentWindowSlot = existing
                recentWindowStart = windowStart
            }
            guard CustomerWindowState.count(record, fingerprint: fingerprint, into: &windows[slot: existing], dedupe: &dedupe, compiled: compiled, breakdowns: &breakdowns, counted: &counted) else {
                return .duplicate
            }
        } else {
            guard dedupe.insert(fingerprint) else { return .duplicate }
            let fresh = newWindow(start: windowStart)
            let slot = windows.slot(of: windowStart, default: fresh)
            if newest {
                recentWindowSlot = slot
                recentWindowStart = windowStart
            }
            _ = CustomerWindowState.count(record, fingerprint: fingerprint, into: &windows[slot: slot], dedupe: nil, compiled: compiled, breakdowns: &breakdowns, counted: &counted)
        }
        let newWindow = counted.newWindow
        let changedRollup = counted.changedRollup
        let quotaMatches = counted.quotaMatches
        let moreQuotaMatches = counted.moreQuotaMatches
        var listings = QuotaListings()
        listings.changedWindows = counted.listWindow
        var quotaExpiry: Int64?
        guard countsTowardQuotas, quotaMatches != 0 || !moreQuotaMatches.isEmpty else {
            return .accepted(newWindow: newWindow, changedRollup: changedRollup, quotaExpiry: nil, listings: listings)
        }
        let rules: [CompiledQuotaRule?]
        if let cached = quotaRules {
            rules = cached
        } else {
            rules = Self.ruleTable(compiled.quotaRules(forCustomer: record.customer), featureCount: compiled.features.count)
            quotaRules = rules
        }
        guard !rules.isEmpty else {
            return .accepted(newWindow: newWindow, changedRollup: changedRollup, quotaExpiry: nil, listings: listings)
        }
        var visit = 0
        compiled.features.withUnsafeBufferPointer { features in
            compiled.withHotPathTables { tables in
                record.samples.withUnsafeBufferPointer { samples in
                    for sampleIndex in samples.indices {
                        for featureIndex in tables.features(ofMeter: samples[sampleIndex].meterIndex) {
                            defer { visit += 1 }
                            let matched = visit < 64 ? quotaMatches & (1 &<< UInt64(visit)) != 0 : moreQuotaMatches.contains(visit)
                            guard matched, featureIndex < rules.count, let rule = rules[featureIndex] else { continue }
                            let amount = features[featureIndex].aggregation == .count ? 1 : samples[sampleIndex].value.number
                            let end = quotas.update(featureIndex) { quota in
                                quota.record(
                                    amount: amount, eventTimeMillis: record.eventTimeMillis, rule: rule,
                                    customer: record.customer, feature: features[featureIndex].key, into: &quotaEvents
                                )
                            }
                            let expiry = FeatureQuotaState.expiryTime(ofEnd: end, windows: compiled.windows)
                            quotaExpiry = Swift.min(quotaExpiry ?? expiry, expiry)
                        }
                    }
                }
            }
        }
        if quotaExpiry != nil {
            listings.changedQuotas = !listedInChangedQuotas
            listings.quotaCustomers = !listedInQuotaCustomers
            listedInChangedQuotas = true
            listedInQuotaCustomers = true
        }
        return .accepted(
            newWindow: newWindow, changedRollup: changedRollup, quotaExpiry: quotaExpiry, listings: listings
        )
    }
}

extension CustomerState {
    /// Rules by feature index; empty when there are none.
    static func ruleTable(_ rules: [Int: CompiledQuotaRule], featureCount: Int) -> [CompiledQuotaRule?] {
        guard !rules.isEmpty else { return [] }
        var table = [CompiledQuotaRule?](repeating: nil, count: featureCount)
        for (featureIndex, rule) in rules where featureIndex >= 0 && featureIndex < featureCount { table[featureIndex] = rule }
        return table
    }

    /// Mutates every window's state in place.
    mutating func visitWindows(_ body: (inout CustomerWindowState) -> Void) {
        for slot in 0..<windows.count { body(&windows[slot: slot]) }
    }

    /// Mutates an existing window's state in place; does nothing if there is none.
    mutating func visitWindow(start: Int64, _ body: (inout CustomerWindowState) -> Void) {
        // Through an index: the optional subscript's `_modify` costs more (a coroutine frame, the write-back).
        guard let index = windows.index(forKey: start) else { return }
        body(&windows[slot: index])
    }
}

extension CustomerState {
    /// An empty window starting at `start`, sized like the customer's most
    /// recent one when it follows it (as event time moves on): a window's
    /// dedupe list and group arrays otherwise grow by doubling, each step
    /// copying what they hold, ~10% of ingest's last-level cache misses
    /// (callgrind). A little headroom, since traffic varies from window to
    /// window; a window that outgrows it grows as before. A window opened
    /// by a late event, behind the recent one, starts empty: it usually
    /// gets few events.
    private func newWindow(start: Int64) -> CustomerWindowState {
        guard recentWindowStart != .min, start > recentWindowStart, recentWindowSlot < windows.count else { return CustomerWindowState() }
        let (events, groups) = windows.withValue(at: recentWindowSlot) { ($0.dedupe.count, $0.groups.count) }
        return CustomerWindowState(reservingEvents: events + events / 8 + 4, groups: groups + groups / 4 + 2)
    }
}

extension RollupGroupState {
    @inline(__always)
    mutating func update(_ value: SampleValue, record: UsageRecord) {
        accumulator.add(value, eventTimeMillis: record.eventTimeMillis, id: record.eventID)
        if !Self.isRecent(record.subject, recentSubjects) {
            Self.insert(record.subject, into: &sortedSubjects)
            recentSubjects = (record.subject, recentSubjects.0)
        }
        dirty = true
        encodedIsValid = false
    }

    /// Whether `subject` is one of the recent subjects, by representation.
    @inline(__always)
    static func isRecent(_ subject: String, _ recent: (String?, String?)) -> Bool {
        if let first = recent.0, sameRepresentation(first, subject) { return true }
        if let second = recent.1, sameRepresentation(second, subject) { return true }
        return false
    }

    /// Inserts `subject` into the sorted list unless present. The last
    /// subject is checked first: a group usually sees one subject many times.
    /// `==` goes first (a few instructions for short or identical strings),
    /// then one three-way compare per probe decides both equality and order.
    @inline(__always)
    static func insert(_ subject: String, into list: inout [String]) {
        guard let last = list.last else {
            list.append(subject)
            return
        }
        // Subjects come from the customer directory or the repartition decoder's
        // interner: the same bits each time. A bitwise match is equality; `==` on
        // a mismatch compares contents out of line, which cost ~250 instructions
        // per update where a customer's two gateway consumers alternate.
        if list.count <= 4 {
            for known in list where Self.sameRepresentation(known, subject) { return }
        }
        if last == subject { return }
        if CompiledFeature.utf8Compare(last, subject) < 0 {
            list.append(subject)
            return
        }
        // `subject` orders before the last element: search the rest.
        var low = 0
        var high = list.count - 1
        while low < high {
            let middle = (low + high) / 2
            let comparison = CompiledFeature.utf8Compare(list[middle], subject)
            if comparison == 0 { return }
            if comparison < 0 { low = middle + 1 } else { high = middle }
        }
        list.insert(subject, at: low)
    }

    /// Whether the two strings have identical in-memory representations (the
    /// same small-string bytes, or the same storage object): then they are
    /// equal. Different representations may still be equal strings.
    @inline(__always)
    static func sameRepresentation(_ a: String, _ b: String) -> Bool {
        withUnsafeBytes(of: a) { x in
            withUnsafeBytes(of: b) { y in
                x.loadUnaligned(fromByteOffset: 0, as: UInt64.self) == y.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
                    && x.loadUnaligned(fromByteOffset: 8, as: UInt64.self) == y.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            }
        }
    }

    /// Marks the group emitted and returns its new revision: one above the
    /// last, and above `floor` (a replay's revision base).
    mutating func markEmitted(floor: Int = 0) -> Int {
        revision = Swift.max(revision, floor) + 1
        dirty = false
        encodedIsValid = false
        return revision
    }
}
