/// Values of the state records (see `StateKey`), each starting with the
/// state format version:
/// - window: the features its groups use (key and aggregation, once each),
///   then the rollup groups (feature position, breakdown, revision, dirty
///   flag, event count, the accumulator fields of the aggregation, subjects);
/// - dedupe chunk: a count then that many fingerprints, 16 bytes each;
/// - quotas: the customer's quota periods and announcements per feature.
///
/// Byte-stable: every map is written in a deterministic order. Features are stored by
/// key, so the state survives feature reordering; state of features that no
/// longer exist (or changed aggregation or breakdown arity) is dropped on
/// decode, and so is quota state of a feature the customer has no rule for.
extension PartitionAggregator {
    static func encodeDedupeChunk(_ fingerprints: [DedupeFingerprint], chunk: Int) -> [UInt8] {
        let range = (chunk * StateKey.chunkCapacity)..<min(fingerprints.count, (chunk + 1) * StateKey.chunkCapacity)
        var out = BinaryWriter(capacity: 4 + 16 * range.count)
        out.write(stateVersion)
        out.write(varint: UInt64(range.count))
        #if _endian(little)
        // (low, high) little-endian is the in-memory layout: one copy for the chunk.
        if MemoryLayout<DedupeFingerprint>.size == 16, MemoryLayout<DedupeFingerprint>.offset(of: \DedupeFingerprint.high) == 8 {
            fingerprints[range].withUnsafeBytes { out.append(raw: $0) }
            return out.bytes
        }
        #endif
        for fingerprint in fingerprints[range] {
            out.write(fixed: fingerprint.low)
            out.write(fixed: fingerprint.high)
        }
        return out.bytes
    }

    func encodeQuotaRecord(_ quotas: QuotaTable) -> [UInt8] {
        compiled.features.withUnsafeBufferPointer { features in
            // The customer's features with state, sorted by key (a few: insertion sort, no array).
            withUnsafeTemporaryAllocation(of: Int.self, capacity: quotas.count + 1) { order in
                let varint = ByteCursor.varintBound
                var count = 0
                var bound = 1 + varint
                for (featureIndex, quota) in quotas where count < order.count {
                    var at = count
                    while at > 0, CompiledFeature.utf8Less(features[featureIndex].key, features[order[at - 1]].key) {
                        order[at] = order[at - 1]
                        at -= 1
                    }
                    order[at] = featureIndex
                    count += 1
                    bound += 2 * varint + features[featureIndex].key.utf8.count + 1 + varint
                    for entry in quota.entries { bound += 5 * varint + 1 + 8 * entry.period.usage.partialCount }
                }
                return ByteCursor.bytes(bound: bound) { out in
                    out.write(Self.stateVersion)
                    out.write(varint: UInt64(count))
                    for featureIndex in order[0..<count] {
                        guard let quota = quotas[featureIndex] else { continue }
                        out.write(features[featureIndex].key)
                        out.write(quota.earliestAnnouncedStart != nil)
                        if let start = quota.earliestAnnouncedStart { out.write(zigzag: start) }
                        out.write(varint: UInt64(quota.periodCount))
                        for entry in quota.entries {
                            let period = entry.period
                            out.write(zigzag: entry.start)
                            out.write(zigzag: period.endMillis)
                            out.write(varint: UInt64(period.usage.partialCount))
                            period.usage.forEachPartial { out.write($0) }
                            out.write(varint: period.announcedMask)
                            out.write(period.resetAnnounced)
                        }
                    }
                }
            }
        }
    }

    func decodeWindowRecord(_ bytes: [UInt8]) throws(BinaryDecodingError) -> CustomerWindowState {
        var input = BinaryReader(bytes)
        try Self.readVersion(&input)
        // Per feature position: its index here (nil: no longer configured as stored) and aggregation.
        var features: [(index: Int?, kind: AggregationKind)] = []
        for _ in 0..<(try StateCoding.readCount(&input)) {
            let key = try input.readString()
            guard let kind = AggregationKind(rawValue: try input.readString()) else { throw .malformed(input.offset, "unknown aggregation") }
            let index = compiled.featureIndexByKey[key].flatMap { compiled.features[$0].aggregation == kind ? $0 : nil }
            features.append((index, kind))
        }
        var window = CustomerWindowState()
        for _ in 0..<(try StateCoding.readCount(&input)) {
            let position = try input.readVarint()
            guard position < UInt64(features.count) else { throw .malformed(input.offset, "unknown feature position") }
            if let (key, group) = try decodeGroup(&input, feature: features[Int(position)]) { window.groups[key] = group }
        }
        guard input.isAtEnd else { throw .malformed(input.offset, "trailing bytes after window record") }
        return window
    }

    static func decodeDedupeChunk(_ bytes: [UInt8], into fingerprints: inout [DedupeFingerprint]) throws(BinaryDecodingError) -> Int {
        var input = BinaryReader(bytes)
        try readVersion(&input)
        let count = try StateCoding.readCount(&input)
        guard count <= StateKey.chunkCapacity else { throw .malformed(input.offset, "oversized dedupe chunk") }
        for _ in 0..<count {
            let low = try input.readFixedUInt64()
            fingerprints.append(DedupeFingerprint(low: low, high: try input.readFixedUInt64()))
        }
        guard input.isAtEnd else { throw .malformed(input.offset, "trailing bytes after dedupe chunk") }
        return count
    }

    /// Decodes a customer's quota record; drops features without a rule.
    func decodeQuotaRecord(_ bytes: [UInt8], customer: String) throws(BinaryDecodingError) -> QuotaTable {
        var input = BinaryReader(bytes)
        try Self.readVersion(&input)
        let rules = compiled.quotaRules(forCustomer: customer)
        var quotas = QuotaTable()
        for _ in 0..<(try StateCoding.readCount(&input)) {
            let featureKey = try input.readString()
            var quota = FeatureQuotaState(earliestAnnouncedStart: try StateCoding.readOptionalInt64(&input))
            for _ in 0..<(try StateCoding.readCount(&input)) {
                let start = try input.readZigzag()
                let end = try input.readZigzag()
                let usage = try StateCoding.readSum(&input)
                quota.setPeriod(start: start, FeatureQuotaState.Period(
                    endMillis: end, usage: usage, announcedMask: try input.readVarint(), resetAnnounced: try input.readBool()
                ))
            }
            guard let featureIndex = compiled.featureIndexByKey[featureKey], rules[featureIndex] != nil else { continue }
            quotas[featureIndex] = quota
        }
        guard input.isAtEnd else { throw .malformed(input.offset, "trailing bytes after quota record") }
        return quotas
    }

    static func encodeGroup(_ key: RollupGroupKey, _ group: RollupGroupState, to out: inout ByteCursor) {
        out.write(varint: UInt64(key.breakdown.count))
        for value in key.breakdown { out.write(value) }
        out.write(group.revision)
        out.write(group.dirty)
        out.write(zigzag: group.accumulator.eventCount)
        // Only the fields the aggregation uses; the others keep their initial values.
        switch group.accumulator.kind {
        case .count:
            break
        case .sum, .avg:
            out.write(varint: UInt64(group.accumulator.sum.partialCount))
            group.accumulator.sum.forEachPartial { out.write($0) }
        case .min, .max:
            out.write(group.accumulator.extreme)
        case .latest:
            out.write(group.accumulator.latestValue)
            out.write(zigzag: group.accumulator.latestTimeMillis)
            out.write(group.accumulator.latestId)
        case .uniqueCount:
            StateCoding.write(group.accumulator.distinct, to: &out)
        }
        out.write(varint: UInt64(group.sortedSubjects.count))
        for subject in group.sortedSubjects { out.write(subject) }
    }

    /// Reads one group; `nil` when the configuration no longer has it.
    private func decodeGroup(
        _ input: inout BinaryReader, feature: (index: Int?, kind: AggregationKind)
    ) throws(BinaryDecodingError) -> (RollupGroupKey, RollupGroupState)? {
        let kind = feature.kind
        var breakdown: [String?] = []
        for _ in 0..<(try StateCoding.readCount(&input)) { breakdown.append(try input.readOptionalString()) }
        let revision = try input.readInt()
        let dirty = try input.readBool()
        var accumulator = Accumulator(kind: kind)
        accumulator.eventCount = try input.readZigzag()
        switch kind {
        case .count:
            break
        case .sum, .avg:
            accumulator.sum = try StateCoding.readSum(&input)
        case .min, .max:
            accumulator.extreme = try input.readDouble()
        case .latest:
            accumulator.latestValue = try input.readDouble()
            accumulator.latestTimeMillis = try input.readZigzag()
            accumulator.latestId = try input.readString()
        case .uniqueCount:
            accumulator.distinct = try StateCoding.readStringSet(&input)
        }
        var subjects: [String] = []
        for _ in 0..<(try StateCoding.readCount(&input)) { RollupGroupState.insert(try input.readString(), into: &subjects) }
        guard let featureIndex = feature.index, compiled.features[featureIndex].breakdownNames.count == breakdown.count else { return nil }
        var group = RollupGroupState(accumulator: accumulator, revision: revision, dirty: dirty)
        group.sortedSubjects = subjects
        return (RollupGroupKey(featureIndex: featureIndex, breakdown: breakdown), group)
    }
}

/// Primitive encodings shared by the state codecs.
enum StateCoding {
    static func write(_ value: Int64?, to out: inout BinaryWriter) {
        out.write(value != nil)
        if let value { out.write(zigzag: value) }
    }

    static func write(_ strings: Set<String>, to out: inout ByteCursor) {
        out.write(varint: UInt64(strings.count))
        // Sets of one or two (the usual subjects) skip the sorted copy.
        var iterator = strings.makeIterator()
        switch strings.count {
        case 0:
            return
        case 1:
            if let only = iterator.next() { out.write(only) }
        case 2:
            guard let first = iterator.next(), let second = iterator.next() else { return }
            let inOrder = CompiledFeature.utf8Less(first, second)
            out.write(inOrder ? first : second)
            out.write(inOrder ? second : first)
        default:
            for string in strings.sorted(by: CompiledFeature.utf8Less) { out.write(string) }
        }
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
