@testable import MeterdCore
import Testing

private typealias F = AggFixtures

/// A customer's new window is sized like its most recent one, so filling it
/// does not copy the dedupe list and the group arrays as they grow.
@Suite struct AggWindowSizingTests {
    /// 100 requests over three routes into the window starting at `start`.
    private func fill(_ aggregator: inout PartitionAggregator, windowStart start: Int64, idPrefix: String) {
        let routes = ["chat", "embeddings", "search"]
        for index in 0..<100 {
            let result = aggregator.ingest(F.request(id: "\(idPrefix)-\(index)", at: start + Int64(index) * 100, route: routes[index % 3]))
            guard case .accepted = result else { Issue.record("not accepted: \(result)"); return }
        }
    }

    /// The window's sizes, read without keeping a copy of it (a copy would
    /// share its arrays, and the next ingest would then copy them, exactly sized).
    private func sizes(_ aggregator: PartitionAggregator, windowStart start: Int64) -> (events: Int, eventRoom: Int, groups: Int, groupRoom: Int)? {
        guard let window = aggregator.customers["acme"]?.windows[start] else { return nil }
        return (window.dedupe.count, window.dedupe.capacity, window.groups.count, window.groups.reservedCapacity)
    }

    @Test func aNewWindowHasRoomForWhatTheLastOneHeld() throws {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        fill(&aggregator, windowStart: 0, idPrefix: "a")
        let first = try #require(sizes(aggregator, windowStart: 0))
        #expect(first.events == 100)
        #expect(first.groups == 4)  // ok_requests, and requests_by_route per route

        guard case .accepted = aggregator.ingest(F.request(id: "b-first", at: 60_000)) else { Issue.record("not accepted"); return }
        let second = try #require(sizes(aggregator, windowStart: 60_000))
        #expect(second.eventRoom >= 100 + 100 / 8 + 4)
        #expect(second.groupRoom >= 4 + 4 / 4 + 2)

        // The same traffic again fits without the arrays growing.
        fill(&aggregator, windowStart: 60_000, idPrefix: "b")
        let filled = try #require(sizes(aggregator, windowStart: 60_000))
        #expect(filled.events == 101)
        #expect(filled.eventRoom == second.eventRoom)
        #expect(filled.groups == 4)
        #expect(filled.groupRoom == second.groupRoom)
        #expect(aggregator.customers["acme"]?.windows[60_000]?.groups[RollupGroupKey(featureIndex: 1, breakdown: ["chat", "200"])]?.accumulator.eventCount == 35)
    }

    @Test func withoutARecentWindowANewOneStartsSmall() throws {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        #expect(aggregator.ingest(F.request(id: "a", at: 1_000)) == .accepted(quotaEvents: []))
        #expect(try #require(sizes(aggregator, windowStart: 0)).eventRoom < 16)

        // Dropping a window forgets the recent one: the next window is not
        // sized from a slot that may now hold another window.
        fill(&aggregator, windowStart: 60_000, idPrefix: "b")
        aggregator.customers["acme"]?.dropWindow(start: 60_000)
        guard case .accepted = aggregator.ingest(F.request(id: "c", at: 121_000)) else { Issue.record("not accepted"); return }
        #expect(try #require(sizes(aggregator, windowStart: 120_000)).eventRoom < 16)
    }

    @Test func aWindowOpenedByALateEventStartsSmall() throws {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        fill(&aggregator, windowStart: 120_000, idPrefix: "a")
        // Within allowed lateness, into a window the customer had no events in.
        guard case .accepted = aggregator.ingest(F.request(id: "late", at: 61_000)) else { Issue.record("not accepted"); return }
        #expect(try #require(sizes(aggregator, windowStart: 60_000)).eventRoom < 16)
        // The next window after the recent one is sized again.
        guard case .accepted = aggregator.ingest(F.request(id: "next", at: 181_000)) else { Issue.record("not accepted"); return }
        #expect(try #require(sizes(aggregator, windowStart: 180_000)).eventRoom >= 100)
    }
}
