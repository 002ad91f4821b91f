/// Quota usage of one (customer, feature) per period, and what has been
/// announced: each threshold of each period once, plus `quota.reset` for a
/// period when an earlier period announced anything (SPEC section 4).
public struct FeatureQuotaState: Sendable, Equatable {
    /// One period's usage and announcements.
    public struct Period: Sendable, Equatable {
        public var endMillis: Int64
        public var usage = ExactSum()
        /// Bit i set: `CompiledQuotaRule.thresholds[i]` announced.
        public var announcedMask: UInt64 = 0
        public var resetAnnounced = false

        public init(endMillis: Int64, usage: ExactSum = ExactSum(), announcedMask: UInt64 = 0, resetAnnounced: Bool = false) {
            self.endMillis = endMillis
            self.usage = usage
            self.announcedMask = announcedMask
            self.resetAnnounced = resetAnnounced
        }
    }

    /// A live period and its start.
    struct Entry: Sendable, Equatable {
        var start: Int64
        var period: Period
    }

    /// Live periods sorted by start; every one holds at least one counted
    /// event. A customer has a few at a time (the current one, and earlier
    /// ones until their late events expire), so a scan from the newest beats a hash.
    private(set) var entries: [Entry] = []
    /// Start of the earliest period that announced a threshold. Kept after
    /// that period expires: the reset rule looks at all earlier periods.
    public internal(set) var earliestAnnouncedStart: Int64?

    public init(periods: [Int64: Period] = [:], earliestAnnouncedStart: Int64? = nil) {
        entries = periods.map { Entry(start: $0.key, period: $0.value) }.sorted { $0.start < $1.start }
        self.earliestAnnouncedStart = earliestAnnouncedStart
    }

    /// Live periods by start; every one holds at least one counted event.
    public var periods: [Int64: Period] {
        Dictionary(uniqueKeysWithValues: entries.map { ($0.start, $0.period) })
    }

    /// Number of live periods.
    var periodCount: Int { entries.count }

    /// Sets the period starting at `start` (restore).
    mutating func setPeriod(start: Int64, _ period: Period) {
        let index = position(ofStart: start, creating: period)
        entries[index].period = period
    }

    /// The position of the period starting at `start`, inserted as `initial` when absent.
    @inline(__always)
    private mutating func position(ofStart start: Int64, creating initial: @autoclosure () -> Period) -> Int {
        var index = entries.count
        while index > 0 {
            let candidate = entries[index - 1].start
            if candidate == start { return index - 1 }
            if candidate < start { break }
            index -= 1
        }
        entries.insert(Entry(start: start, period: initial()), at: index)
        return index
    }

    /// Counts `amount` of usage at `eventTimeMillis` and appends the announcements it earns.
    /// `feature` is read only for an announcement (the hot path would
    /// otherwise copy, and retain, the feature's key on every event).
    /// - Returns: the end of the period counted into.
    @discardableResult
    mutating func record(
        amount: Double, eventTimeMillis: Int64, rule: CompiledQuotaRule,
        customer: String, feature: @autoclosure () -> String, into events: inout [QuotaEvent]
    ) -> Int64 {
        let (start, end) = QuotaCalendar.period(rule.period, containing: eventTimeMillis)
        func event(_ kind: QuotaEvent.Kind, _ threshold: Double, _ periodStart: Int64, _ p: Period) -> QuotaEvent {
            QuotaEvent(
                kind: kind, customer: customer, feature: feature(), periodStartMillis: periodStart,
                periodEndMillis: p.endMillis, limit: rule.limit, usage: p.usage.value, threshold: threshold,
                hard: rule.hard, eventTimeMillis: eventTimeMillis
            )
        }
        let earliest = earliestAnnouncedStart
        // Mutated in place: a copy out of the dictionary would copy the partials on every event.
        let position = position(ofStart: start, creating: Period(endMillis: end))
        let announcedNow = Self.add(amount, to: &entries[position].period) { period in
            if !period.resetAnnounced, let earliest, earliest < start {
                period.resetAnnounced = true
                events.append(event(.reset, 0, start, period))
            }
            let usage = period.usage.value
            var announcedNow = false
            for (position, threshold) in rule.thresholds.enumerated() {
                let bit: UInt64 = 1 << UInt64(position)
                guard period.announcedMask & bit == 0, usage >= rule.limit * threshold / 100 else { continue }
                period.announcedMask |= bit
                announcedNow = true
                events.append(event(threshold == 100 ? .exceeded : .threshold, threshold, start, period))
            }
            return announcedNow
        }
        guard announcedNow, earliestAnnouncedStart.map({ start < $0 }) ?? true else { return end }
        earliestAnnouncedStart = start
        // A (late) crossing earns every later period with usage its reset.
        for index in entries.indices where entries[index].start > start && !entries[index].period.resetAnnounced {
            entries[index].period.resetAnnounced = true
            events.append(event(.reset, 0, entries[index].start, entries[index].period))
        }
        return end
    }

    private static func add(_ amount: Double, to period: inout Period, then announce: (inout Period) -> Bool) -> Bool {
        period.usage.add(amount)
        return announce(&period)
    }

    /// Drops the periods that can no longer receive accepted events.
    /// - Returns: the stream time at which the next remaining period expires.
    mutating func expire(streamTimeMillis: Int64, windows: TumblingWindows) -> Int64? {
        var next: Int64?
        entries.removeAll { entry in
            let expiry = Self.expiryTime(ofEnd: entry.period.endMillis, windows: windows)
            if expiry <= streamTimeMillis { return true }
            next = Swift.min(next ?? expiry, expiry)
            return false
        }
        return next
    }

    /// The stream time at which the window holding the period's last
    /// millisecond expires.
    static func expiryTime(ofEnd end: Int64, windows: TumblingWindows) -> Int64 {
        windows.expiryTime(ofStart: windows.windowStart(containing: end - 1))
    }
}
