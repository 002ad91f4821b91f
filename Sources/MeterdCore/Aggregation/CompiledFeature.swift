/// A feature compiled for the hot path: its filter and breakdown resolved to
/// positions in its meter's dimension array (`MeterDefinition.dimensionNames`).
public struct CompiledFeature: Sendable, Equatable {
    /// One filter clause: the dimension at `dimensionIndex` must be one of `accepted`.
    public struct Clause: Sendable, Equatable {
        public let dimensionIndex: Int
        public let accepted: Set<String>
        /// `accepted` as a list when it is short: comparing a few strings
        /// costs less than hashing one (SipHash) for the set.
        let acceptedList: [String]?

        init(dimensionIndex: Int, accepted: Set<String>) {
            self.dimensionIndex = dimensionIndex
            self.accepted = accepted
            acceptedList = accepted.count <= 8 ? accepted.sorted(by: CompiledFeature.utf8Less) : nil
        }

        @inline(__always)
        func accepts(_ value: String) -> Bool {
            if let acceptedList { return acceptedList.contains(value) }
            return accepted.contains(value)
        }
    }

    public let index: Int
    public let key: String
    public let meterIndex: Int
    public let meterSlug: String
    public let aggregation: AggregationKind
    /// `nil` when the filter names a dimension the meter does not have: such
    /// a dimension is always missing, so the feature never matches.
    public let filter: [Clause]?
    /// The filter is empty: every event matches (checked without reading
    /// the array, which the hot path would retain and release).
    let matchesAll: Bool
    /// Breakdown dimension names, distinct, sorted by raw (UTF-8) name.
    public let breakdownNames: [String]
    /// Position of each breakdown dimension in the sample's dimensions;
    /// `nil` when the meter has no such groupBy (always absent).
    public let breakdownIndexes: [Int?]
    /// The feature's entry in the feature list of a window state record
    /// (`StateRecordCoding`): key then aggregation, as `BinaryWriter` writes strings.
    let stateRecordEntry: [UInt8]

    init(index: Int, definition: FeatureDefinition, meterIndex: Int, meter: MeterDefinition) {
        self.index = index
        key = definition.key
        self.meterIndex = meterIndex
        meterSlug = meter.slug
        aggregation = meter.aggregation
        let names = meter.dimensionNames
        var clauses: [Clause]? = []
        for name in definition.filter.keys.sorted(by: Self.utf8Less) {
            guard let position = names.firstIndex(of: name) else {
                clauses = nil
                break
            }
            clauses?.append(Clause(dimensionIndex: position, accepted: Set(definition.filter[name] ?? [])))
        }
        filter = clauses
        matchesAll = clauses?.isEmpty == true
        breakdownNames = Array(Set(definition.breakdown)).sorted(by: Self.utf8Less)
        breakdownIndexes = breakdownNames.map { names.firstIndex(of: $0) }
        var entry = BinaryWriter(capacity: 16 + key.utf8.count)
        entry.write(key)
        entry.write(aggregation.rawValue)
        stateRecordEntry = entry.bytes
    }

    /// Whether an event with these dimension values counts toward the feature;
    /// a filter on a missing dimension does not match.
    public func matches(_ dimensions: [String?]) -> Bool {
        dimensions.withUnsafeBufferPointer { Self.matches(filter, $0) }
    }

    /// `matches` for the hot path, which reads `filter` through a buffer of
    /// features: calling a method on an element would copy the whole feature.
    @inline(__always)
    static func matches(_ filter: [Clause]?, _ dimensions: UnsafeBufferPointer<String?>) -> Bool {
        guard let filter else { return false }
        for clause in filter {
            guard clause.dimensionIndex < dimensions.count,
                  let value = dimensions[clause.dimensionIndex],
                  clause.accepts(value) else { return false }
        }
        return true
    }

    /// The breakdown values of an event, aligned with `breakdownNames`.
    public func breakdown(of dimensions: [String?]) -> [String?] {
        guard !breakdownIndexes.isEmpty else { return [] }
        return breakdownIndexes.map { position in
            guard let position, position < dimensions.count else { return nil }
            return dimensions[position]
        }
    }

    /// Byte-wise (UTF-8) order, over the strings' contiguous storage: the
    /// generic `UTF8View` walk costs ~10 instructions per byte.
    static func utf8Less(_ a: String, _ b: String) -> Bool {
        utf8Compare(a, b) < 0
    }

    /// Three-way byte-wise (UTF-8) comparison: negative, zero or positive as
    /// `a` orders before, equal to or after `b`. Compares 8 bytes at a time
    /// (big-endian words order like their bytes), so a shared prefix, common
    /// among subjects and ids, costs a few instructions per word.
    static func utf8Compare(_ a: String, _ b: String) -> Int {
        // Native strings are contiguous: read in place, with no copies to retain.
        if let inPlace = a.utf8.withContiguousStorageIfAvailable({ x in
            b.utf8.withContiguousStorageIfAvailable { y in utf8Compare(x, y) }
        }), let result = inPlace {
            return result
        }
        var a = a
        var b = b
        return a.withUTF8 { x in b.withUTF8 { y in utf8Compare(x, y) } }
    }

    @inline(__always)
    private static func utf8Compare(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Int {
        let common = Swift.min(x.count, y.count)
        var index = 0
        if let xBase = x.baseAddress, let yBase = y.baseAddress {
            let xRaw = UnsafeRawPointer(xBase), yRaw = UnsafeRawPointer(yBase)
            while index &+ 8 <= common {
                let u = UInt64(bigEndian: xRaw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let v = UInt64(bigEndian: yRaw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                if u != v { return u < v ? -1 : 1 }
                index &+= 8
            }
        }
        while index < common {
            if x[index] != y[index] { return x[index] < y[index] ? -1 : 1 }
            index &+= 1
        }
        return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
    }
}

/// A customer's quota rule on one SUM/COUNT feature, plan and overrides merged.
public struct CompiledQuotaRule: Sendable, Equatable {
    /// Thresholds are tracked in a 64-bit mask.
    public static let maxThresholds = 64

    public let featureIndex: Int
    public let limit: Double
    public let period: QuotaPeriod
    /// Distinct positive percentages, ascending, at most `maxThresholds`.
    public let thresholds: [Double]
    public let hard: Bool

    public init(featureIndex: Int, rule: QuotaRule) {
        self.featureIndex = featureIndex
        limit = rule.limit
        period = rule.period
        thresholds = Array(Set(rule.thresholds.filter { $0 > 0 && $0.isFinite }).sorted().prefix(Self.maxThresholds))
        hard = rule.hard
    }
}
