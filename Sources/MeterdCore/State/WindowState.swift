/// The dedupe identity of an event within one customer: (source, id).
///
/// Carries a fingerprint of its bytes computed once, so the dedupe table
/// hashes one word per probe and compares ids only on a fingerprint match.
public struct DedupeKey: Sendable, Hashable {
    public let source: String
    public let id: String
    let fingerprint: UInt64

    public init(source: String, id: String) {
        self.source = source
        self.id = id
        fingerprint = Fingerprint.of(id, Fingerprint.of(source))
    }

    public static func == (a: DedupeKey, b: DedupeKey) -> Bool {
        a.fingerprint == b.fingerprint && a.id == b.id && a.source == b.source
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(fingerprint)
    }

    static func utf8Less(_ a: DedupeKey, _ b: DedupeKey) -> Bool {
        a.source != b.source ? CompiledFeature.utf8Less(a.source, b.source) : CompiledFeature.utf8Less(a.id, b.id)
    }
}

/// Identity of one rollup inside a customer's window: feature and breakdown values.
///
/// Like `DedupeKey`, it carries a fingerprint computed once.
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
    public internal(set) var accumulator: Accumulator
    public internal(set) var subjects: Set<String> = []
    /// Last emitted revision; 0 = never emitted.
    public internal(set) var revision: Int = 0
    /// Changed since its last emission.
    public internal(set) var dirty = true

    public init(accumulator: Accumulator, subjects: Set<String> = [], revision: Int = 0, dirty: Bool = true) {
        self.accumulator = accumulator
        self.subjects = subjects
        self.revision = revision
        self.dirty = dirty
    }
}

/// One customer's state for one tumbling window.
public struct CustomerWindowState: Sendable, Equatable {
    public internal(set) var groups: [RollupGroupKey: RollupGroupState] = [:]
    /// Dedupe entries that expire with this window.
    public internal(set) var dedupeKeys: [DedupeKey] = []

    public init(groups: [RollupGroupKey: RollupGroupState] = [:], dedupeKeys: [DedupeKey] = []) {
        self.groups = groups
        self.dedupeKeys = dedupeKeys
    }
}

/// Everything the aggregator keeps for one customer: all state is keyed by
/// customer, which is what lets partitions own disjoint customer sets.
public struct CustomerState: Sendable, Equatable {
    public internal(set) var windows: [Int64: CustomerWindowState] = [:]
    /// (source, id) → start of the window whose expiry drops the entry.
    public internal(set) var dedupe: [DedupeKey: Int64] = [:]
    /// Feature index → quota state.
    public internal(set) var quotas: [Int: FeatureQuotaState] = [:]

    public init() {}

    var isEmpty: Bool { windows.isEmpty && dedupe.isEmpty && quotas.isEmpty }

    mutating func dropWindow(start: Int64) {
        guard let window = windows.removeValue(forKey: start) else { return }
        for key in window.dedupeKeys where dedupe[key] == start {
            dedupe[key] = nil
        }
    }
}
