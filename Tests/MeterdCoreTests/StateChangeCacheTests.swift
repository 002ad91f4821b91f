import Testing
@testable import MeterdCore

/// The changelog's caches (group encodings, the window's group order, the
/// per-window pending change) must give the bytes a fresh encoding gives.
@Suite struct StateChangeCacheTests {
    typealias F = AggFixtures

    private func values(_ changes: AggregatorStateChanges) -> [[UInt8]: [UInt8]?] {
        Dictionary(changes.records.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    private func batch(_ range: Range<Int>) -> [UsageRecord] {
        let routes = ["chat", "embed", "rerank", "tools", "vision", nil]
        return range.map { n in
            F.request(n % 2 == 0 ? "acme" : "zeta", id: "r\(n)", at: 1_000 + Int64(n), status: n % 5 == 0 ? "500" : "200",
                      route: routes[n % (range.lowerBound == 0 ? 2 : routes.count)])
        }
    }

    @Test func incrementalRecordsEqualAFreshEncodingAfterGroupsAreAdded() throws {
        var incremental = PartitionAggregator(configuration: F.configuration())
        var fresh = PartitionAggregator(configuration: F.configuration())
        for record in batch(0..<40) { _ = incremental.ingest(record); _ = fresh.ingest(record) }
        _ = incremental.takeStateChanges()
        // New routes add groups to windows whose order and group encodings are cached.
        for record in batch(40..<90) { _ = incremental.ingest(record); _ = fresh.ingest(record) }
        let changes = values(incremental.takeStateChanges())
        fresh.markAllStateChanged()
        let expected = values(fresh.takeStateChanges())
        let windowKeys = try changes.keys.filter { if case .window = try StateKey(parsing: $0) { true } else { false } }
        #expect(windowKeys.count == 2)
        for key in windowKeys { #expect(changes[key] == expected[key]) }
    }

    @Test func aWindowIsListedOncePerCommitAndAgainAfterIt() throws {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        for record in batch(0..<10) { _ = aggregator.ingest(record) }
        #expect(aggregator.changedWindows.count == 2)
        #expect(try aggregator.takeStateChanges().records.map { try StateKey(parsing: $0.key) }.filter {
            if case .window = $0 { true } else { false }
        }.count == 2)
        #expect(aggregator.changedWindows.isEmpty)
        #expect(aggregator.takeStateChanges().records.isEmpty, "nothing changed since")
        _ = aggregator.ingest(F.request("zeta", id: "later", at: 2_000))
        let kinds = try aggregator.takeStateChanges().records.map { try StateKey(parsing: $0.key) }
        #expect(kinds.contains(.window(customer: "zeta", windowStart: 0)))
        #expect(!kinds.contains(.window(customer: "acme", windowStart: 0)))
    }
}
