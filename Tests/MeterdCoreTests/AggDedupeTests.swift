import Testing
import MeterdCore

@Suite struct AggDedupeTests {
    typealias F = AggFixtures

    @Test func sameSourceAndIdCountsOnceWhileWindowLives() {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        let r1 = aggregator.ingest(F.request(id: "r1", at: 1_000))
        #expect(r1 == .accepted(quotaEvents: []))
        let r2 = aggregator.ingest(F.request(id: "r1", at: 1_000))
        #expect(r2 == .duplicate)
        let r3 = aggregator.ingest(F.request(id: "r1", at: 1_000, subject: "acme-mobile"))
        #expect(r3 == .duplicate)
        let otherSource = aggregator.ingest(F.record(id: "r1", at: 1_000, source: "other", samples: [
            MeterSample(meterIndex: F.requests, value: .none, dimensions: ["chat", "200"]),
        ]))
        #expect(otherSource != .duplicate, "a different source is a different event")
        let r4 = aggregator.ingest(F.request("globex", id: "r1", at: 1_000))
        #expect(r4 != .duplicate, "dedupe is per customer")
        _ = aggregator.ingest(F.request(id: "p", at: 70_000, status: "500"))
        let acme = aggregator.flush().only(feature: "ok_requests").filter { $0.customer == "acme" }
        #expect(acme.map(\.value) == [2])
        #expect(aggregator.stats.dedupedEvents == 2)
    }

    @Test func duplicateOfAnEmittedWindowIsStillDropped() {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        _ = aggregator.ingest(F.request(id: "r1", at: 1_000))
        _ = aggregator.ingest(F.request(id: "p", at: 70_000, status: "500"))
        _ = aggregator.flush()
        let r5 = aggregator.ingest(F.request(id: "r1", at: 1_000))
        #expect(r5 == .duplicate)
        let r6 = aggregator.flush()
        #expect(r6.isEmpty)
    }

    @Test func dedupeEntriesExpireWithTheirWindow() {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        _ = aggregator.ingest(F.request(id: "r1", at: 1_000))
        #expect(aggregator.stateSize.dedupeEntries == 1)
        _ = aggregator.ingest(F.request(id: "p", at: 190_000, status: "500"))
        _ = aggregator.flush()
        #expect(aggregator.stateSize.dedupeEntries == 1, "only the pacer's entry remains")
        // The same id in a live window counts again once the first copy's window expired.
        let r7 = aggregator.ingest(F.request(id: "r1", at: 190_500))
        #expect(r7 == .accepted(quotaEvents: []))
    }
}
