import Testing
@testable import MeterdCore

/// Dropping a window removes exactly its dedupe fingerprints from the
/// customer's table (with cache hints a few removals ahead), and emission
/// reads groups in place: both must give what the plain loops gave.
@Suite struct AggExpiryTests {
    typealias F = AggFixtures

    @Test func droppingAWindowRemovesExactlyItsFingerprints() {
        let compiled = CompiledConfiguration(F.configuration())
        var state = CustomerState()
        var events: [QuotaEvent] = []
        var breakdowns = BreakdownInterner()
        // Sizes around the hint distance (8) and past a table rehash.
        for (window, count) in [(Int64(0), 3), (60_000, 9), (120_000, 40), (180_000, 700)] {
            for index in 0..<count {
                let record = F.request(id: "w\(window)-\(index)", at: window + Int64(index))
                _ = state.accept(record, windowStart: window, compiled: compiled, breakdowns: &breakdowns, quotaEvents: &events)
            }
        }
        #expect(state.dedupe.count == 752)
        for (window, remaining) in [(Int64(120_000), 712), (0, 709), (180_000, 9), (60_000, 0)] {
            let fingerprints = state.windows[window]?.dedupe ?? []
            #expect(state.dropWindow(start: window) == fingerprints.count)
            #expect(state.dedupe.count == remaining)
            #expect(fingerprints.allSatisfy { !state.dedupe.contains($0) })
            for (_, other) in state.windows { #expect(other.dedupe.allSatisfy(state.dedupe.contains)) }
        }
        #expect(state.dedupe.capacity == 0 && state.windows.isEmpty)
    }

    @Test func theRecentWindowIsFoundAgainAfterADropMovesIt() {
        let compiled = CompiledConfiguration(F.configuration())
        var state = CustomerState()
        var events: [QuotaEvent] = []
        var breakdowns = BreakdownInterner()
        func accept(_ id: String, _ window: Int64) {
            _ = state.accept(F.request(id: id, at: window + 1), windowStart: window, compiled: compiled, breakdowns: &breakdowns, quotaEvents: &events)
        }
        for (index, window) in [Int64(0), 60_000, 120_000].enumerated() { accept("first-\(index)", window) }
        // The newest window (slot 2) is the recent one; dropping the oldest moves it to slot 0.
        state.dropWindow(start: 0)
        accept("again", 120_000)
        accept("middle", 60_000)
        #expect(state.windows[120_000]?.dedupe.count == 2)
        #expect(state.windows[60_000]?.dedupe.count == 2)
        #expect(state.windows.count == 2)
        #expect(state.windows[120_000]?.groups.count == state.windows[60_000]?.groups.count)
    }

    @Test func emittedRevisionsAndLateCountsAreKept() {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        _ = aggregator.ingest(F.request(id: "a", at: 1_000))
        _ = aggregator.ingest(F.tokenUse(id: "b", at: 2_000, tokens: 2))
        _ = aggregator.ingest(F.request(id: "c", at: 75_000))
        let first = aggregator.flush()
        #expect(first.map(\.revision) == [1, 1, 1, 1])
        #expect(first.map(\.feature) == ["ok_requests", "requests_by_route", "tokens", "gpt4o_tokens"])
        _ = aggregator.ingest(F.tokenUse(id: "d", at: 3_000, tokens: 5, model: "gpt-4o-mini"))
        _ = aggregator.ingest(F.tokenUse(id: "e", at: 4_000, tokens: 1))
        let late = aggregator.flush()
        #expect(late.map(\.revision) == [2, 1, 2])
        #expect(late.map(\.value) == [3, 5, 3])
        #expect(aggregator.maxEmittedRevision == 2 && aggregator.stats.lateUpdatedRollups == 2)
    }
}
