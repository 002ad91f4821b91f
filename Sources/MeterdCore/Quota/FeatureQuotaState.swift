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

    /// Live periods by start; every one holds at least one counted event.
    public internal(set) var periods: [Int64: Period] = [:]
    /// Start of the earliest period that announced a threshold. Kept after
    /// that period expires: the reset rule looks at all earlier periods.
    public internal(set) var earliestAnnouncedStart: Int64?

    public init(periods: [Int64: Period] = [:], earliestAnnouncedStart: Int64? = nil) {
        self.periods = periods
        self.earliestAnnouncedStart = earliestAnnouncedStart
    }

    /// Counts `amount` of usage at `eventTimeMillis` and appends the announcements it earns.
    mutating func record(
        amount: Double, eventTimeMillis: Int64, rule: CompiledQuotaRule,
        customer: String, feature: String, into events: inout [QuotaEvent]
    ) {
        let (start, end) = QuotaCalendar.period(rule.period, containing: eventTimeMillis)
        func event(_ kind: QuotaEvent.Kind, _ threshold: Double, _ periodStart: Int64, _ p: Period) -> QuotaEvent {
            QuotaEvent(
                kind: kind, customer: customer, feature: feature, periodStartMillis: periodStart,
                periodEndMillis: p.endMillis, limit: rule.limit, usage: p.usage.value, threshold: threshold,
                hard: rule.hard, eventTimeMillis: eventTimeMillis
            )
        }
        let earliest = earliestAnnouncedStart
        // Mutated in place: a copy out of the dictionary would copy the partials on every event.
        let announcedNow = Self.add(amount, to: &periods[start, default: Period(endMillis: end)]) { period in
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
        guard announcedNow, earliestAnnouncedStart.map({ start < $0 }) ?? true else { return }
        earliestAnnouncedStart = start
        // A (late) crossing earns every later period with usage its reset.
        for laterStart in periods.keys.sorted() where laterStart > start {
            guard var later = periods[laterStart], !later.resetAnnounced else { continue }
            later.resetAnnounced = true
            periods[laterStart] = later
            events.append(event(.reset, 0, laterStart, later))
        }
    }

    private static func add(_ amount: Double, to period: inout Period, then announce: (inout Period) -> Bool) -> Bool {
        period.usage.add(amount)
        return announce(&period)
    }

    /// Drops the periods that can no longer receive accepted events.
    /// - Returns: the stream time at which the next remaining period expires.
    mutating func expire(streamTimeMillis: Int64, windows: TumblingWindows) -> Int64? {
        var next: Int64?
        var expired: [Int64] = []
        for (start, period) in periods {
            let expiry = Self.expiryTime(ofEnd: period.endMillis, windows: windows)
            if expiry <= streamTimeMillis {
                expired.append(start)
            } else {
                next = Swift.min(next ?? expiry, expiry)
            }
        }
        for start in expired { periods[start] = nil }
        return next
    }

    /// The stream time at which the window holding the period's last
    /// millisecond expires.
    static func expiryTime(ofEnd end: Int64, windows: TumblingWindows) -> Int64 {
        windows.expiryTime(ofStart: windows.windowStart(containing: end - 1))
    }
}
