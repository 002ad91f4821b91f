/// Binary encoding of one customer's state (windows with their rollup groups
/// and dedupe entries, quota periods and announcements): the unit of both
/// full snapshots and per-customer changelog records.
///
/// Byte-stable: every map is written in sorted order. Features are stored by
/// key, so the state survives feature reordering; state of features that no
/// longer exist (or changed aggregation or breakdown arity) is dropped on
/// decode.
extension PartitionAggregator {
    func encodeCustomer(_ state: CustomerState, to out: inout BinaryWriter) {
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
                encodeGroup(key, group, to: &out)
            }
        }
        let featureKey = { (index: Int) in self.compiled.features[index].key }
        out.write(varint: UInt64(state.quotas.count))
        for featureIndex in state.quotas.keys.sorted(by: { CompiledFeature.utf8Less(featureKey($0), featureKey($1)) }) {
            guard let quota = state.quotas[featureIndex] else { continue }
            out.write(featureKey(featureIndex))
            StateCoding.write(quota.earliestAnnouncedStart, to: &out)
            out.write(varint: UInt64(quota.periods.count))
            for start in quota.periods.keys.sorted() {
                guard let period = quota.periods[start] else { continue }
                out.write(zigzag: start)
                out.write(zigzag: period.endMillis)
                StateCoding.write(period.usage, to: &out)
                out.write(varint: period.announcedMask)
                out.write(period.resetAnnounced)
            }
        }
    }

    /// Decodes one customer's state and registers it in the window and quota
    /// indexes. The header (stream time, emission watermark) must be restored first.
    mutating func decodeCustomer(_ name: String, from input: inout BinaryReader) throws(BinaryDecodingError) {
        var state = CustomerState()
        for _ in 0..<(try StateCoding.readCount(&input)) {
            let start = try input.readZigzag()
            var window = CustomerWindowState()
            for _ in 0..<(try StateCoding.readCount(&input)) {
                let key = DedupeKey(source: try input.readString(), id: try input.readString())
                window.dedupeKeys.append(key)
                state.dedupe[key] = start
            }
            for _ in 0..<(try StateCoding.readCount(&input)) {
                if let (key, group) = try decodeGroup(&input) { window.groups[key] = group }
            }
            state.windows[start] = window
            windowIndex[start, default: []].insert(name)
            if isEmitted(windowStart: start), window.groups.values.contains(where: \.dirty) {
                lateDirty.insert(WindowRef(customer: name, windowStart: start))
            }
        }
        let rules = compiled.quotaRules(forCustomer: name)
        for _ in 0..<(try StateCoding.readCount(&input)) {
            let featureKey = try input.readString()
            var quota = FeatureQuotaState(earliestAnnouncedStart: try StateCoding.readOptionalInt64(&input))
            for _ in 0..<(try StateCoding.readCount(&input)) {
                let start = try input.readZigzag()
                let end = try input.readZigzag()
                let usage = try StateCoding.readSum(&input)
                quota.periods[start] = FeatureQuotaState.Period(
                    endMillis: end, usage: usage, announcedMask: try input.readVarint(), resetAnnounced: try input.readBool()
                )
            }
            guard let featureIndex = compiled.featureIndexByKey[featureKey], rules[featureIndex] != nil else { continue }
            state.quotas[featureIndex] = quota
            for period in quota.periods.values {
                let expiry = FeatureQuotaState.expiryTime(ofEnd: period.endMillis, windows: compiled.windows)
                nextQuotaExpiry = min(nextQuotaExpiry ?? expiry, expiry)
                quotaCustomers.insert(name)
            }
        }
        customers[name] = state.isEmpty ? nil : state
    }

    private func encodeGroup(_ key: RollupGroupKey, _ group: RollupGroupState, to out: inout BinaryWriter) {
        let feature = compiled.features[key.featureIndex]
        out.write(feature.key)
        out.write(feature.aggregation.rawValue)
        out.write(varint: UInt64(key.breakdown.count))
        for value in key.breakdown { out.write(value) }
        out.write(group.revision)
        out.write(group.dirty)
        let accumulator = group.accumulator
        out.write(zigzag: accumulator.eventCount)
        StateCoding.write(accumulator.sum, to: &out)
        out.write(accumulator.extreme)
        out.write(accumulator.latestValue)
        out.write(zigzag: accumulator.latestTimeMillis)
        out.write(accumulator.latestId)
        StateCoding.write(accumulator.distinct, to: &out)
        StateCoding.write(group.subjects, to: &out)
    }

    /// Reads one group; `nil` when the configuration no longer has it.
    private func decodeGroup(_ input: inout BinaryReader) throws(BinaryDecodingError) -> (RollupGroupKey, RollupGroupState)? {
        let featureKey = try input.readString()
        let aggregation = try input.readString()
        var breakdown: [String?] = []
        for _ in 0..<(try StateCoding.readCount(&input)) { breakdown.append(try input.readOptionalString()) }
        let revision = try input.readInt()
        let dirty = try input.readBool()
        guard let kind = AggregationKind(rawValue: aggregation) else { throw .malformed(input.offset, "unknown aggregation") }
        var accumulator = Accumulator(kind: kind)
        accumulator.eventCount = try input.readZigzag()
        accumulator.sum = try StateCoding.readSum(&input)
        accumulator.extreme = try input.readDouble()
        accumulator.latestValue = try input.readDouble()
        accumulator.latestTimeMillis = try input.readZigzag()
        accumulator.latestId = try input.readString()
        accumulator.distinct = try StateCoding.readStringSet(&input)
        let subjects = try StateCoding.readStringSet(&input)
        guard let featureIndex = compiled.featureIndexByKey[featureKey],
              compiled.features[featureIndex].aggregation == kind,
              compiled.features[featureIndex].breakdownNames.count == breakdown.count else { return nil }
        let group = RollupGroupState(accumulator: accumulator, subjects: subjects, revision: revision, dirty: dirty)
        return (RollupGroupKey(featureIndex: featureIndex, breakdown: breakdown), group)
    }
}

/// Primitive encodings shared by the state codecs.
enum StateCoding {
    static func write(_ value: Int64?, to out: inout BinaryWriter) {
        out.write(value != nil)
        if let value { out.write(zigzag: value) }
    }

    static func write(_ sum: ExactSum, to out: inout BinaryWriter) {
        out.write(varint: UInt64(sum.partials.count))
        for partial in sum.partials { out.write(partial) }
    }

    static func write(_ strings: Set<String>, to out: inout BinaryWriter) {
        out.write(varint: UInt64(strings.count))
        for string in strings.sorted(by: CompiledFeature.utf8Less) { out.write(string) }
    }

    static func readOptionalInt64(_ input: inout BinaryReader) throws(BinaryDecodingError) -> Int64? {
        try input.readBool() ? try input.readZigzag() : nil
    }

    /// A count is at most the bytes left, so corrupt input cannot make a huge loop.
    static func readCount(_ input: inout BinaryReader) throws(BinaryDecodingError) -> Int {
        try input.readLength()
    }

    static func readSum(_ input: inout BinaryReader) throws(BinaryDecodingError) -> ExactSum {
        var partials: [Double] = []
        for _ in 0..<(try readCount(&input)) { partials.append(try input.readDouble()) }
        return ExactSum(partials: partials)
    }

    static func readStringSet(_ input: inout BinaryReader) throws(BinaryDecodingError) -> Set<String> {
        var strings = Set<String>()
        for _ in 0..<(try readCount(&input)) { strings.insert(try input.readString()) }
        return strings
    }
}
