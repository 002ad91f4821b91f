import Testing
@testable import MeterdCore

/// The commit cut (flush order, state keys, window and quota records) must
/// give exactly what the straightforward encodings give: the reference
/// encoders below are the `BinaryWriter` versions the raw-memory ones replaced.
@Suite struct CommitCutReferenceTests {
    typealias P = PropertySupport

    /// Customers whose names share prefixes, need escaping or are not ASCII.
    static let customers = ["acme", "ac", "acme/x", "globex", "ü%=/", "zeta", "a"]

    /// Random records for several customers, shuffled within 3 minutes so late revisions occur.
    private func records(seed: UInt64) -> [UsageRecord] {
        var rng = SeededGenerator(seed: seed)
        var time = P.start
        var out: [UsageRecord] = []
        for n in 0..<900 {
            time += Int64.random(in: 0...4_000, using: &rng)
            let customer = Self.customers[Int.random(in: 0..<Self.customers.count, using: &rng)]
            out.append(P.randomRecord(customer, id: "e\(n)", at: time, using: &rng))
        }
        return P.shuffledWithin(out, span: 180_000, using: &rng)
    }

    @Test(arguments: [UInt64(1), 7, 42])
    func changelogRecordsEqualTheReferenceEncodings(seed: UInt64) throws {
        var aggregator = PartitionAggregator(configuration: P.configuration())
        var windowRecords = 0, quotaRecords = 0, chunkRecords = 0
        for (n, record) in records(seed: seed).enumerated() {
            _ = aggregator.ingest(record)
            guard n % 23 == 22 else { continue }
            _ = aggregator.flush()
            let changes = aggregator.takeStateChanges()
            for record in changes.records {
                let key = try StateKey(parsing: record.key)
                #expect(record.key == Self.referenceKey(key))
                guard let value = record.value else { continue }
                switch key {
                case .window(let customer, let start):
                    let window = try #require(aggregator.customers[customer]?.windows[start])
                    #expect(value == Self.referenceWindowRecord(window, compiled: aggregator.compiled))
                    windowRecords += 1
                case .quotas(let customer):
                    let quotas = try #require(aggregator.customers[customer]?.quotas)
                    #expect(value == Self.referenceQuotaRecord(quotas, compiled: aggregator.compiled))
                    quotaRecords += 1
                case .dedupeChunk:
                    chunkRecords += 1
                }
            }
        }
        #expect(windowRecords > 100)
        #expect(quotaRecords > 20)
        #expect(chunkRecords > 100)
    }

    @Test(arguments: [UInt64(3), 11])
    func flushOrdersRollupsByWindowCustomerAndKey(seed: UInt64) {
        var aggregator = PartitionAggregator(configuration: P.configuration())
        let compiled = aggregator.compiled
        var revisions = 0
        for (n, record) in records(seed: seed).enumerated() {
            _ = aggregator.ingest(record)
            guard n % 31 == 30 else { continue }
            let rollups = aggregator.flush()
            revisions += rollups.filter { $0.revision > 1 }.count
            let keys = rollups.map { Self.groupKey(of: $0, compiled: compiled) }
            for index in rollups.indices.dropFirst() {
                let (a, b) = (rollups[index - 1], rollups[index])
                let ordered = a.windowStartMillis != b.windowStartMillis ? a.windowStartMillis < b.windowStartMillis
                    : a.customer != b.customer ? CompiledFeature.utf8Less(a.customer, b.customer)
                    : RollupGroupKey.less(keys[index - 1], keys[index])
                #expect(ordered, "\(a.key) before \(b.key)")
            }
        }
        #expect(revisions > 50, "late revisions are exercised")
    }

    @Test func keyOrderEqualsTheLexicographicOrder() {
        var rng = SeededGenerator(seed: 5)
        let alphabet: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, UInt8(ascii: "W"), UInt8(ascii: "D")]
        var keys: [[UInt8]] = [[], [0], [0xFF]]
        for _ in 0..<250 {
            // Shared prefixes of every length around the 8-byte steps.
            let prefix = Array(repeating: UInt8(ascii: "a"), count: Int.random(in: 0...20, using: &rng))
            keys.append(prefix + (0..<Int.random(in: 0...10, using: &rng)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
        }
        for a in keys {
            for b in keys { #expect(PartitionAggregator.keyPrecedes(a, b) == a.lexicographicallyPrecedes(b)) }
        }
    }

    @Test func varintSizesEqualTheWrittenLengths() {
        var values: [UInt64] = [0, 1, UInt64.max, UInt64(Int64.max)]
        for shift in 1..<64 { values += [(1 << shift) - 1, 1 << shift, (1 << shift) + 1] }
        for value in values {
            var out = BinaryWriter()
            out.write(varint: value)
            #expect(ByteCursor.size(varint: value) == out.bytes.count, "\(value)")
            let signed = Int64(bitPattern: value)
            var zigzag = BinaryWriter()
            zigzag.write(zigzag: signed)
            #expect(ByteCursor.size(zigzag: signed) == zigzag.bytes.count, "\(signed)")
        }
    }

    private static func groupKey(of rollup: RollupRevision, compiled: CompiledConfiguration) -> RollupGroupKey {
        let index = compiled.featureIndexByKey[rollup.feature] ?? -1
        let names = index >= 0 ? compiled.features[index].breakdownNames : []
        return RollupGroupKey(featureIndex: index, breakdown: names.map { name in rollup.breakdown.first { $0.name == name }?.value })
    }

    // MARK: reference encodings (the BinaryWriter versions)

    static func referenceKey(_ key: StateKey) -> [UInt8] {
        var out = BinaryWriter(capacity: 32)
        func write(_ start: Int64) {
            let biased = UInt64(bitPattern: start) ^ (1 << 63)
            for shift in stride(from: 56, through: 0, by: -8) { out.write(UInt8(truncatingIfNeeded: biased >> UInt64(shift))) }
        }
        switch key {
        case .window(let customer, let start):
            out.write(UInt8(ascii: "W")); out.write(customer); write(start)
        case .dedupeChunk(let customer, let start, let chunk):
            out.write(UInt8(ascii: "D")); out.write(customer); write(start)
            for shift in stride(from: 24, through: 0, by: -8) { out.write(UInt8(truncatingIfNeeded: UInt32(truncatingIfNeeded: chunk) >> UInt32(shift))) }
        case .quotas(let customer):
            out.write(UInt8(ascii: "Q")); out.write(customer)
        }
        return out.bytes
    }

    static func referenceWindowRecord(_ window: CustomerWindowState, compiled: CompiledConfiguration) -> [UInt8] {
        let groups = zip(window.groups.keys, window.groups.values).sorted { x, y in
            x.0.fingerprint != y.0.fingerprint ? x.0.fingerprint < y.0.fingerprint : RollupGroupKey.less(x.0, y.0)
        }
        var features: [Int] = []
        for (key, _) in groups where !features.contains(key.featureIndex) { features.append(key.featureIndex) }
        var out = BinaryWriter()
        out.write(PartitionAggregator.stateVersion)
        out.write(varint: UInt64(features.count))
        for feature in features {
            out.write(compiled.features[feature].key)
            out.write(compiled.features[feature].aggregation.rawValue)
        }
        out.write(varint: UInt64(groups.count))
        for (key, state) in groups {
            out.write(varint: UInt64(features.firstIndex(of: key.featureIndex) ?? -1))
            referenceGroup(key, state, to: &out)
        }
        return out.bytes
    }

    static func referenceGroup(_ key: RollupGroupKey, _ group: RollupGroupState, to out: inout BinaryWriter) {
        out.write(varint: UInt64(key.breakdown.count))
        for value in key.breakdown { out.write(value) }
        out.write(group.revision)
        out.write(group.dirty)
        out.write(zigzag: group.accumulator.eventCount)
        switch group.accumulator.kind {
        case .count:
            break
        case .sum, .avg:
            referenceSum(group.accumulator.sum, to: &out)
        case .min, .max:
            out.write(group.accumulator.extreme)
        case .latest:
            out.write(group.accumulator.latestValue)
            out.write(zigzag: group.accumulator.latestTimeMillis)
            out.write(group.accumulator.latestId)
        case .uniqueCount:
            out.write(varint: UInt64(group.accumulator.distinct.count))
            for value in group.accumulator.distinct.sorted(by: CompiledFeature.utf8Less) { out.write(value) }
        }
        out.write(varint: UInt64(group.sortedSubjects.count))
        for subject in group.sortedSubjects { out.write(subject) }
    }

    static func referenceSum(_ sum: ExactSum, to out: inout BinaryWriter) {
        out.write(varint: UInt64(sum.partials.count))
        for partial in sum.partials { out.write(partial) }
    }

    static func referenceQuotaRecord(_ quotas: QuotaTable, compiled: CompiledConfiguration) -> [UInt8] {
        var out = BinaryWriter()
        out.write(PartitionAggregator.stateVersion)
        out.write(varint: UInt64(quotas.count))
        let entries = quotas.map { (key: compiled.features[$0.key].key, quota: $0.value) }.sorted { CompiledFeature.utf8Less($0.key, $1.key) }
        for (key, quota) in entries {
            out.write(key)
            StateCoding.write(quota.earliestAnnouncedStart, to: &out)
            out.write(varint: UInt64(quota.periodCount))
            for entry in quota.entries {
                out.write(zigzag: entry.start)
                out.write(zigzag: entry.period.endMillis)
                referenceSum(entry.period.usage, to: &out)
                out.write(varint: entry.period.announcedMask)
                out.write(entry.period.resetAnnounced)
            }
        }
        return out.bytes
    }
}
