/// Snapshot and restore of a whole `PartitionAggregator` (format version 1).
///
/// Byte-stable: every map is written in sorted order, so equal states give
/// equal bytes. Features are stored by key, so a snapshot survives feature
/// reordering in the configuration; state of features that no longer exist
/// (or changed aggregation or breakdown) is dropped on restore.
extension PartitionAggregator {
    static let snapshotVersion: UInt8 = 1

    /// The complete state: stream time, emission watermark, windows with
    /// their accumulators, revisions and subjects, dedupe entries, quota
    /// periods and announcements. Stats counters are not included.
    public func snapshot() -> [UInt8] {
        var out = BinaryWriter(capacity: 256)
        out.write(Self.snapshotVersion)
        Self.write(clock.streamTimeMillis, to: &out)
        Self.write(flushedStreamTimeMillis, to: &out)
        out.write(varint: UInt64(customers.count))
        for name in customers.keys.sorted(by: CompiledFeature.utf8Less) {
            guard let state = customers[name] else { continue }
            out.write(name)
            out.write(varint: UInt64(state.windows.count))
            for start in state.windows.keys.sorted() {
                guard let window = state.windows[start] else { continue }
                out.write(zigzag: start)
                out.write(varint: UInt64(window.dedupeKeys.count))
                for key in window.dedupeKeys.sorted(by: DedupeKey.utf8Less) {
                    out.write(key.source)
                    out.write(key.id)
                }
                out.write(varint: UInt64(window.groups.count))
                for key in window.groups.keys.sorted(by: RollupGroupKey.less) {
                    guard let group = window.groups[key] else { continue }
                    writeGroup(key, group, to: &out)
                }
            }
            out.write(varint: UInt64(state.quotas.count))
            for featureIndex in state.quotas.keys.sorted(by: { compiled.features[$0].key.utf8.lexicographicallyPrecedes(compiled.features[$1].key.utf8) }) {
                guard let quota = state.quotas[featureIndex] else { continue }
                out.write(compiled.features[featureIndex].key)
                Self.write(quota.earliestAnnouncedStart, to: &out)
                out.write(varint: UInt64(quota.periods.count))
                for start in quota.periods.keys.sorted() {
                    guard let period = quota.periods[start] else { continue }
                    out.write(zigzag: start)
                    out.write(zigzag: period.endMillis)
                    Self.write(period.usage, to: &out)
                    out.write(varint: period.announcedMask)
                    out.write(period.resetAnnounced)
                }
            }
        }
        return out.bytes
    }

    /// Restores an aggregator from `snapshot()` bytes. The idle timer re-arms
    /// at the first `advance`, so downtime does not count as idleness.
    /// - Throws: `BinaryDecodingError` for corrupt, truncated or unknown-version input.
    public init(configuration: MeterdConfiguration, snapshot: [UInt8]) throws(BinaryDecodingError) {
        try self.init(compiled: CompiledConfiguration(configuration), snapshot: snapshot)
    }

    public init(compiled: CompiledConfiguration, snapshot: [UInt8]) throws(BinaryDecodingError) {
        self.init(compiled: compiled)
        var input = BinaryReader(snapshot)
        let version = try input.readByte()
        guard version == Self.snapshotVersion else { throw .unsupportedVersion(version) }
        clock = StreamClock(idleTimeoutMillis: compiled.configuration.windows.idleTimeoutMillis, streamTimeMillis: try Self.readOptionalInt64(&input))
        clock.rearmIdleTimer()
        flushedStreamTimeMillis = try Self.readOptionalInt64(&input)
        for _ in 0..<(try Self.readCount(&input)) {
            let name = try input.readString()
            var state = CustomerState()
            for _ in 0..<(try Self.readCount(&input)) {
                let start = try input.readZigzag()
                var window = CustomerWindowState()
                for _ in 0..<(try Self.readCount(&input)) {
                    let key = DedupeKey(source: try input.readString(), id: try input.readString())
                    window.dedupeKeys.append(key)
                    state.dedupe[key] = start
                }
                for _ in 0..<(try Self.readCount(&input)) {
                    if let (key, group) = try readGroup(&input) { window.groups[key] = group }
                }
                state.windows[start] = window
                windowIndex[start, default: []].insert(name)
                if isEmitted(windowStart: start), window.groups.values.contains(where: \.dirty) {
                    lateDirty.insert(WindowRef(customer: name, windowStart: start))
                }
            }
            let rules = compiled.quotaRules(forCustomer: name)
            for _ in 0..<(try Self.readCount(&input)) {
                let featureKey = try input.readString()
                var quota = FeatureQuotaState(earliestAnnouncedStart: try Self.readOptionalInt64(&input))
                for _ in 0..<(try Self.readCount(&input)) {
                    let start = try input.readZigzag()
                    let end = try input.readZigzag()
                    let usage = try Self.readSum(&input)
                    quota.periods[start] = FeatureQuotaState.Period(
                        endMillis: end, usage: usage, announcedMask: try input.readVarint(), resetAnnounced: try input.readBool()
                    )
                    let expiry = FeatureQuotaState.expiryTime(ofEnd: end, windows: compiled.windows)
                    nextQuotaExpiry = min(nextQuotaExpiry ?? expiry, expiry)
                    quotaCustomers.insert(name)
                }
                guard let featureIndex = compiled.featureIndexByKey[featureKey], rules[featureIndex] != nil else { continue }
                state.quotas[featureIndex] = quota
            }
            customers[name] = state
        }
        guard input.isAtEnd else { throw .malformed(input.offset, "trailing bytes after snapshot") }
    }

    private func writeGroup(_ key: RollupGroupKey, _ group: RollupGroupState, to out: inout BinaryWriter) {
        let feature = compiled.features[key.featureIndex]
        out.write(feature.key)
        out.write(feature.aggregation.rawValue)
        out.write(varint: UInt64(key.breakdown.count))
        for value in key.breakdown { out.write(value) }
        out.write(group.revision)
        out.write(group.dirty)
        let accumulator = group.accumulator
        out.write(zigzag: accumulator.eventCount)
        Self.write(accumulator.sum, to: &out)
        out.write(accumulator.extreme)
        out.write(accumulator.latestValue)
        out.write(zigzag: accumulator.latestTimeMillis)
        out.write(accumulator.latestId)
        Self.write(accumulator.distinct, to: &out)
        Self.write(group.subjects, to: &out)
    }

    /// Reads one group; `nil` when the configuration no longer has it.
    private func readGroup(_ input: inout BinaryReader) throws(BinaryDecodingError) -> (RollupGroupKey, RollupGroupState)? {
        let featureKey = try input.readString()
        let aggregation = try input.readString()
        var breakdown: [String?] = []
        for _ in 0..<(try Self.readCount(&input)) { breakdown.append(try input.readOptionalString()) }
        let revision = try input.readInt()
        let dirty = try input.readBool()
        guard let kind = AggregationKind(rawValue: aggregation) else { throw .malformed(input.offset, "unknown aggregation") }
        var accumulator = Accumulator(kind: kind)
        accumulator.eventCount = try input.readZigzag()
        accumulator.sum = try Self.readSum(&input)
        accumulator.extreme = try input.readDouble()
        accumulator.latestValue = try input.readDouble()
        accumulator.latestTimeMillis = try input.readZigzag()
        accumulator.latestId = try input.readString()
        accumulator.distinct = try Self.readStringSet(&input)
        let subjects = try Self.readStringSet(&input)
        guard let featureIndex = compiled.featureIndexByKey[featureKey],
              compiled.features[featureIndex].aggregation == kind,
              compiled.features[featureIndex].breakdownNames.count == breakdown.count else { return nil }
        let group = RollupGroupState(accumulator: accumulator, subjects: subjects, revision: revision, dirty: dirty)
        return (RollupGroupKey(featureIndex: featureIndex, breakdown: breakdown), group)
    }

    private static func write(_ value: Int64?, to out: inout BinaryWriter) {
        out.write(value != nil)
        if let value { out.write(zigzag: value) }
    }

    private static func write(_ sum: ExactSum, to out: inout BinaryWriter) {
        out.write(varint: UInt64(sum.partials.count))
        for partial in sum.partials { out.write(partial) }
    }

    private static func write(_ strings: Set<String>, to out: inout BinaryWriter) {
        out.write(varint: UInt64(strings.count))
        for string in strings.sorted(by: CompiledFeature.utf8Less) { out.write(string) }
    }

    private static func readOptionalInt64(_ input: inout BinaryReader) throws(BinaryDecodingError) -> Int64? {
        try input.readBool() ? try input.readZigzag() : nil
    }

    /// A count is at most the bytes left, so corrupt input cannot make a huge loop.
    private static func readCount(_ input: inout BinaryReader) throws(BinaryDecodingError) -> Int {
        try input.readLength()
    }

    private static func readSum(_ input: inout BinaryReader) throws(BinaryDecodingError) -> ExactSum {
        var partials: [Double] = []
        for _ in 0..<(try readCount(&input)) { partials.append(try input.readDouble()) }
        return ExactSum(partials: partials)
    }

    private static func readStringSet(_ input: inout BinaryReader) throws(BinaryDecodingError) -> Set<String> {
        var strings = Set<String>()
        for _ in 0..<(try readCount(&input)) { strings.insert(try input.readString()) }
        return strings
    }
}
