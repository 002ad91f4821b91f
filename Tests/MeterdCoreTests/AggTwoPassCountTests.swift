import Testing
@testable import MeterdCore

/// Round 12 of the ingest hot path: the groups of a record are located
/// before its dedupe check (cache hints in between), the window is found
/// through a per-customer slot hint, and the dedupe table keeps its mask
/// inline. Each must give exactly what the one-pass lookups gave.
@Suite struct AggTwoPassCountTests {
    typealias F = AggFixtures

    @Test func fingerprintSetHintsNeverChangeMembership() {
        var rng = SeededGenerator(seed: 1201)
        var set = FingerprintSet()
        var model = Set<DedupeFingerprint>()
        for step in 0..<20_000 {
            let fingerprint = DedupeFingerprint(low: UInt64.random(in: 0..<512, using: &rng) << 3, high: UInt64.random(in: 0..<8, using: &rng))
            set.prefetch(fingerprint)
            // Grows past 3/4, then mostly removes: shrinks by rehash and empties.
            if step < 10_000 ? Int.random(in: 0..<3, using: &rng) > 0 : Int.random(in: 0..<5, using: &rng) == 0 {
                #expect(set.insert(fingerprint) == model.insert(fingerprint).inserted)
            } else {
                set.remove(fingerprint)
                model.remove(fingerprint)
            }
            #expect(set.hintMaskMatchesCapacity)
            #expect(set.count == model.count)
        }
        for fingerprint in model { set.remove(fingerprint) }
        #expect(set.count == 0 && set.capacity == 0 && set.hintMaskMatchesCapacity)
        set.prefetch(DedupeFingerprint(source: "kong", id: "x"))
        #expect(set.insert(DedupeFingerprint(source: "kong", id: "x")) && set.hintMaskMatchesCapacity)
    }

    @Test func hintedWindowLookupEqualsTheProbe() {
        var rng = SeededGenerator(seed: 1202)
        var table = WindowTable()
        for step in 0..<3_000 {
            let key = Int64(Int.random(in: -40..<40, using: &rng)) * F.minute
            if Int.random(in: 0..<3, using: &rng) == 0 {
                table.removeValue(forKey: key)
            } else {
                _ = table.slot(of: key, default: CustomerWindowState())
            }
            let probe = Int64(Int.random(in: -41..<41, using: &rng)) * F.minute
            for hint in [-1, 0, 1, step % 50, table.count - 1, table.count, Int.max] {
                #expect(table.index(forKey: probe, hint: hint) == table.index(forKey: probe))
            }
        }
    }

    /// Two samples of one record that fall in the same new group (validation
    /// rejects such records before ingest; `accept` itself must still count
    /// both): the second finds the group the first created, although its
    /// first-pass position was none.
    @Test func aGroupCreatedEarlierInTheRecordIsFoundAgain() {
        let compiled = CompiledConfiguration(F.configuration())
        let sample = MeterSample(meterIndex: F.tokens, value: .number(5), dimensions: ["gpt-4o"])
        var state = CustomerState()
        var events: [QuotaEvent] = []
        var breakdowns = BreakdownInterner()
        for (index, start) in [0, 0, 60_000].enumerated() {
            let record = F.record(id: "double-\(index)", at: Int64(start) + 1_000, samples: [sample, sample])
            guard case .accepted = state.accept(record, windowStart: Int64(start), compiled: compiled, breakdowns: &breakdowns, quotaEvents: &events) else {
                Issue.record("not accepted")
                return
            }
        }
        for (start, count) in [(Int64(0), Int64(4)), (60_000, 2)] {
            let groups = state.windows[start]?.groups
            let tokens = groups?[RollupGroupKey(featureIndex: 2, breakdown: ["gpt-4o"])]
            #expect(tokens?.accumulator.eventCount == count && tokens?.accumulator.value == Double(5 * count))
            #expect(groups?[RollupGroupKey(featureIndex: 3, breakdown: [])]?.accumulator.eventCount == count)
            #expect(groups?.count == 2)
        }
        #expect(state.quotas[2]?.periodCount == 1)
    }

    /// A duplicate leaves an existing window exactly as it was and creates
    /// no window; the window hint survives windows dropped under it.
    @Test func duplicatesChangeNothingAndStaleHintsAreHarmless() {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        #expect(aggregator.ingest(F.request(id: "a", at: 1_000)) == .accepted(quotaEvents: []))
        #expect(aggregator.ingest(F.tokenUse(id: "b", at: 61_000, tokens: 3)) == .accepted(quotaEvents: []))
        let before = aggregator.customers["acme"]
        let pending = before?.windows[0]?.pendingChange
        #expect(aggregator.ingest(F.request(id: "a", at: 1_500, status: "500")) == .duplicate)
        #expect(aggregator.ingest(F.tokenUse(id: "b", at: 125_000, tokens: 3)) == .duplicate)
        #expect(aggregator.customers["acme"] == before)
        #expect(aggregator.customers["acme"]?.windows[120_000] == nil)
        #expect(aggregator.customers["acme"]?.windows[0]?.pendingChange?.firstNewDedupe == pending?.firstNewDedupe)
        // Count into the newer window (the remembered slot is now 1), then
        // drop it: the hint points past the end of the one window left.
        #expect(aggregator.ingest(F.request(id: "e", at: 61_500)) == .accepted(quotaEvents: []))
        aggregator.customers["acme"]?.dropWindow(start: 60_000)
        #expect(aggregator.customers["acme"]?.windows.count == 1)
        #expect(aggregator.ingest(F.request(id: "c", at: 2_000)) == .accepted(quotaEvents: []))
        #expect(aggregator.customers["acme"]?.windows[0]?.groups[RollupGroupKey(featureIndex: 1, breakdown: ["chat", "200"])]?.accumulator.eventCount == 2)
        #expect(aggregator.ingest(F.tokenUse(id: "d", at: 62_000, tokens: 4)) == .accepted(quotaEvents: []))
        #expect(aggregator.customers["acme"]?.windows[60_000]?.dedupe.count == 1)
    }
}
