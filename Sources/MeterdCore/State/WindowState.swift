/// Identity of one rollup inside a customer's window: feature and breakdown values.
///
/// Carries a fingerprint of its bytes computed once, so a group table
/// hashes one word per probe and compares values only on a fingerprint match.
public struct RollupGroupKey: Sendable, Hashable {
    public let featureIndex: Int
    /// Aligned with `CompiledFeature.breakdownNames`; `nil` = absent.
    public let breakdown: [String?]
    let fingerprint: UInt64

    public init(featureIndex: Int, breakdown: [String?]) {
        self.featureIndex = featureIndex
        self.breakdown = breakdown
        var fingerprint = Fingerprint.mix(UInt64(bitPattern: Int64(featureIndex)), 0)
        for value in breakdown {
            fingerprint = value.map { Fingerprint.of($0, fingerprint) } ?? Fingerprint.mix(fingerprint, 0xA5)
        }
        self.fingerprint = fingerprint
    }

    /// The fingerprint of the key `CompiledFeature.breakdown(of: dimensions)` would
    /// give, computed without building the breakdown array.
    @inline(__always)
    static func fingerprint(featureIndex: Int, breakdownIndexes: UnsafeBufferPointer<Int?>, dimensions: UnsafeBufferPointer<String?>) -> UInt64 {
        var fingerprint = Fingerprint.mix(UInt64(bitPattern: Int64(featureIndex)), 0)
        for position in breakdownIndexes {
            if let position, position < dimensions.count, let value = dimensions[position] {
                fingerprint = Fingerprint.of(value, fingerprint)
            } else {
                fingerprint = Fingerprint.mix(fingerprint, 0xA5)
            }
        }
        return fingerprint
    }

    public static func == (a: RollupGroupKey, b: RollupGroupKey) -> Bool {
        a.fingerprint == b.fingerprint && a.featureIndex == b.featureIndex && a.breakdown == b.breakdown
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(fingerprint)
    }

    static func less(_ a: RollupGroupKey, _ b: RollupGroupKey) -> Bool {
        if a.featureIndex != b.featureIndex { return a.featureIndex < b.featureIndex }
        return a.breakdown.lexicographicallyPrecedes(b.breakdown) { x, y in
            switch (x, y) {
            case (nil, nil): false
            case (nil, _): true
            case (_, nil): false
            case let (x?, y?): CompiledFeature.utf8Less(x, y)
            }
        }
    }
}

/// The state of one rollup: its accumulator, contributing subjects and
/// emission bookkeeping.
public struct RollupGroupState: Sendable, Equatable {
    // Declared in the order of their layout: what `update` reads and writes
    // comes first (the recent subjects, the two flags, then the
    // accumulator's count and sum), so counting an event into a group
    // touches two cache lines of its state instead of the three or four a
    // 168-byte state spans; groups are usually out of cache when an event
    // arrives (callgrind, BENCHMARKS "Hot path, round 22").

    /// The last two subjects `update` saw, each in `sortedSubjects` (only
    /// `update` adds subjects to an existing group): most groups see one or
    /// two gateway consumers, whose check then compares these inline copies
    /// (retained, so the same bits are the same string) instead of reading
    /// the list's heap storage, a cache miss of its own. A cache, not state:
    /// `==` ignores it.
    var recentSubjects: (String?, String?) = (nil, nil)
    /// Changed since its last emission.
    public internal(set) var dirty = true
    /// Whether `encoded` holds the group's changelog encoding (see there).
    var encodedIsValid = false
    public internal(set) var accumulator: Accumulator
    /// The contributing subjects, distinct and sorted byte-wise: rollups and
    /// state records list them in that order, and most groups have one or two,
    /// which a compare finds faster than a hash.
    public internal(set) var sortedSubjects: [String] = []
    /// Last emitted revision; 0 = never emitted.
    public internal(set) var revision: Int = 0
    /// The group's changelog encoding while unchanged since it was made
    /// (its first `encodedCount` bytes, valid while `encodedIsValid`), so a
    /// commit re-encodes only changed groups. A cache, not state: `==`
    /// ignores it. Invalidated by a flag, not by emptying: the hot path then
    /// stores one byte, and the next encoding is written over the same storage.
    var encoded: [UInt8] = []
    var encodedCount = 0

    public init(accumulator: Accumulator, subjects: Set<String> = [], revision: Int = 0, dirty: Bool = true) {
        self.accumulator = accumulator
        // A new group has no subjects yet: sorting the empty set would still allocate an array.
        sortedSubjects = subjects.isEmpty ? [] : subjects.sorted(by: CompiledFeature.utf8Less)
        self.revision = revision
        self.dirty = dirty
    }

    /// The contributing subjects as a set.
    public var subjects: Set<String> { Set(sortedSubjects) }

    public static func == (a: RollupGroupState, b: RollupGroupState) -> Bool {
        a.accumulator == b.accumulator && a.sortedSubjects == b.sortedSubjects && a.revision == b.revision && a.dirty == b.dirty
    }
}

/// One customer's state for one tumbling window.
public struct CustomerWindowState: Sendable, Equatable {
    public internal(set) var groups = RollupGroupTable()
    /// Dedupe fingerprints of the window's events, in arrival order; they
    /// expire with the window. The changelog stores them in chunks by position.
    public internal(set) var dedupe: [DedupeFingerprint] = []
    /// What changed since the last `takeStateChanges()`; `nil`: nothing, and
    /// the window is not listed in the aggregator's `changedWindows`. Kept
    /// here so ingest hashes the (customer, window) into that set once per
    /// commit, not per event. Bookkeeping, not state: `==` ignores it.
    var pendingChange: WindowChange?
    /// The window's changelog keys (bookkeeping, not state: `==` ignores it).
    var stateKeys = WindowKeyCache()

    public init() {}

    /// An empty window with room for `events` dedupe entries and `groups`
    /// groups, so that filling it does not copy its arrays as they grow.
    init(reservingEvents events: Int, groups: Int) {
        dedupe.reserveCapacity(events)
        self.groups.reserveCapacity(groups)
    }

    public init(groups: [RollupGroupKey: RollupGroupState] = [:], dedupe: [DedupeFingerprint] = []) {
        self.groups = RollupGroupTable(groups)
        self.dedupe = dedupe
    }

    public static func == (a: CustomerWindowState, b: CustomerWindowState) -> Bool {
        a.groups == b.groups && a.dedupe == b.dedupe
    }

    /// Records a change for the changelog.
    /// - Returns: whether the window must now be listed in `changedWindows`.
    mutating func noteChange(groupsChanged: Bool, dedupeIndex: Int = Int.max) -> Bool {
        let unlisted = pendingChange == nil
        var change = pendingChange ?? WindowChange()
        if groupsChanged { change.rewriteGroups = true }
        change.firstNewDedupe = Swift.min(change.firstNewDedupe, dedupeIndex)
        pendingChange = change
        return unlisted
    }
}

/// Everything the aggregator keeps for one customer: all state is keyed by
/// customer, which is what lets partitions own disjoint customer sets.
public struct CustomerState: Sendable, Equatable {
    public internal(set) var windows = WindowTable()
    /// Fingerprints of every window's `dedupe`; each is in exactly one
    /// window (a duplicate is never added), whose expiry removes it.
    var dedupe = FingerprintSet()
    /// Feature index → quota state.
    public internal(set) var quotas = QuotaTable()
    /// The customer's quota rules by feature index, looked up on first use
    /// (a cache, not state); empty when the customer has none.
    var quotaRules: [CompiledQuotaRule?]?
    /// Whether the aggregator's `changedQuotas` / `quotaCustomers` already
    /// list the customer, so ingest skips hashing the key into them again
    /// (bookkeeping, not state; `true` implies listed).
    var listedInChangedQuotas = false
    var listedInQuotaCustomers = false
    /// The slot of the newest window `accept` found or made (a late record
    /// leaves it): records of a customer mostly fall in its newest window,
    /// which this finds with one key compare, and a new window after it is
    /// sized like it (a hint, not state; any value is safe).
    var recentWindowSlot = 0
    /// The start of the window at `recentWindowSlot` while it is known to be
    /// there (`Int64.min`: unknown). It spares the hint's compare a load from
    /// the window table's keys, a cache miss in a large state; removing a
    /// window moves slots, so `dropWindow` forgets it.
    var recentWindowStart = Int64.min
    /// `StateKey.quotas(customer:).bytes` once made (a cache, not state).
    private var quotaKey: [UInt8] = []

    public init() {}

    /// The quota state and its changelog key, for a commit that takes it: the
    /// customer is no longer listed in `changedQuotas` (one lookup for all).
    mutating func unlistChangedQuotas(customer: String) -> (quotas: QuotaTable, key: [UInt8]) {
        listedInChangedQuotas = false
        if quotaKey.isEmpty { quotaKey = StateKey.quotas(customer: customer).bytes }
        return (quotas, quotaKey)
    }

    public static func == (a: CustomerState, b: CustomerState) -> Bool {
        a.windows == b.windows && a.dedupe == b.dedupe && a.quotas == b.quotas
    }

    var isEmpty: Bool { windows.isEmpty && quotas.isEmpty }

    /// Drops a window and its dedupe entries.
    /// - Returns: how many dedupe entries the window held.
    @discardableResult
    mutating func dropWindow(start: Int64) -> Int {
        guard let window = windows.removeValue(forKey: start) else { return 0 }
        recentWindowStart = .min
        // Each removal probes a random slot of a table far larger than the
        // cache: the slot a few removals ahead is hinted, so misses overlap.
        let ahead = 8
        window.dedupe.withUnsafeBufferPointer { fingerprints in
            for index in fingerprints.indices {
                if index + ahead < fingerprints.count { dedupe.prefetch(fingerprints[index + ahead]) }
                dedupe.remove(fingerprints[index])
            }
        }
        return window.dedupe.count
    }
}
