import Testing
@testable import MeterdCore

/// The hot path's containers (round 5) must behave exactly like the
/// dictionaries and sets they replaced, and the streamed CloudEvent id and
/// key must equal the buffered ones.
@Suite struct HotPathStructureTests {
    @Test func sortedSubjectListMatchesASetModel() {
        var rng = SeededGenerator(seed: 11)
        var list: [String] = []
        var model = Set<String>()
        let pool = ["acme-web", "acme-mobile", "", "ü", "a", "b", "consumer-17", "consumer-170", "Z", "zz"]
        for _ in 0..<2_000 {
            let subject = pool[Int.random(in: 0..<pool.count, using: &rng)]
            RollupGroupState.insert(subject, into: &list)
            model.insert(subject)
            #expect(list == model.sorted(by: CompiledFeature.utf8Less))
        }
        #expect(RollupGroupState(accumulator: Accumulator(kind: .count), subjects: model).sortedSubjects == list)
    }

    @Test func quotaTableReadsLikeADictionary() {
        var rng = SeededGenerator(seed: 5)
        var table = QuotaTable()
        var model: [Int: FeatureQuotaState] = [:]
        for step in 0..<3_000 {
            let feature = Int.random(in: 0..<9, using: &rng)
            if Bool.random(using: &rng) {
                let state = FeatureQuotaState(earliestAnnouncedStart: Int64(step))
                table[feature] = state
                model[feature] = state
            } else {
                table[feature] = nil
                model[feature] = nil
            }
            #expect(table.count == model.count)
            #expect(table.keys == model.keys.sorted())
            #expect(table == QuotaTable(model))
            #expect(Dictionary(uniqueKeysWithValues: table.map { ($0.key, $0.value) }) == model)
        }
        #expect(table[-1] == nil && table[1_000] == nil)
        var updated = QuotaTable()
        updated.update(4) { $0.earliestAnnouncedStart = 7 }
        #expect(updated.count == 1 && updated[4]?.earliestAnnouncedStart == 7)
    }

    @Test func quotaPeriodsStaySortedWhateverTheOrderTheyArriveIn() {
        var quota = FeatureQuotaState()
        for start: Int64 in [300, 100, 200, 100, 400, 0] {
            quota.setPeriod(start: start, FeatureQuotaState.Period(endMillis: start + 100, announcedMask: UInt64(start)))
        }
        #expect(quota.entries.map(\.start) == [0, 100, 200, 300, 400])
        #expect(quota.periods[100]?.announcedMask == 100)
        #expect(FeatureQuotaState(periods: quota.periods) == FeatureQuotaState(periods: quota.periods.filter { _ in true }))
    }

    @Test func streamedIdAndKeyEqualTheBufferedEncodingForAnyBreakdownOrder() {
        let dimensions = [RollupRevision.Dimension(name: "z=1", value: "a/b%c"), .init(name: "B", value: "x"), .init(name: "é", value: "")]
        let rollup = { (breakdown: [RollupRevision.Dimension]) in
            RollupRevision(
                customer: "team/a", feature: "f", meter: "m", aggregation: .sum, windowStartMillis: -60_000,
                windowEndMillis: 0, value: 0.1, eventCount: 2, breakdown: breakdown, revision: 300, subjects: ["s"]
            )
        }
        let sorted = dimensions.sorted { CompiledFeature.utf8Less($0.name, $1.name) }
        var fields = BinaryWriter()
        fields.write("meter.rollup")
        fields.write("team/a")
        fields.write("f")
        fields.write(zigzag: -60_000)
        fields.write(varint: UInt64(sorted.count))
        for dimension in sorted {
            fields.write(dimension.name)
            fields.write(dimension.value)
        }
        fields.write(300)
        let expectedId = StableHash.hex(StableHash.fnv1a128(fields.bytes))
        let encoder = CloudEventEncoder(appId: "meterd")
        let reference = encoder.encode(rollup(sorted))
        for order in [dimensions, sorted, sorted.reversed()] {
            #expect(CloudEventEncoder.eventId(of: rollup(Array(order))) == expectedId)
            #expect(encoder.encode(rollup(Array(order))) == reference)
        }
        #expect(String(decoding: reference.key, as: UTF8.self) == "team%2Fa/f/-60000/B=x/z%3D1=a%2Fb%25c/é=")
        #expect(String(decoding: reference.value, as: UTF8.self).contains(#""id":"\#(expectedId)""#))
    }

    @Test func numbersAndIntegersAreWrittenAsTheirStrings() {
        for value in [0, -0.0, 1, -1, 200, 1.5, 1e-05, 123_456_789_012_345, 1e15, -1e15, 1e300, .nan, .infinity, 0.1 + 0.2] {
            var bytes: [UInt8] = []
            JSONNumberFormat.append(value, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == JSONNumberFormat.string(value))
        }
        for value: Int64 in [0, 7, -7, 10, 1_706_745_600_000, .max, .min] {
            var bytes: [UInt8] = []
            JSONNumberFormat.appendDecimal(value, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == String(value))
        }
    }
}
