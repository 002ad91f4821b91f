import Testing
import MeterdCore

@Suite struct QuotaTests {
    typealias F = AggFixtures
    /// 2024-02-01T00:00:00Z, a day boundary.
    static let dayStart: Int64 = 1_706_745_600_000
    static let day: Int64 = 86_400_000

    private func bigLatenessConfiguration() -> MeterdConfiguration {
        F.configuration(windows: WindowSettings(sizeMillis: 60_000, graceMillis: 0, allowedLatenessMillis: 30 * Self.day, idleTimeoutMillis: 5_000))
    }

    private func ingest(_ aggregator: inout PartitionAggregator, _ records: [UsageRecord]) -> [QuotaEvent] {
        records.flatMap { F.quotaEvents(aggregator.ingest($0)) }
    }

    @Test func eachThresholdOnceExceededAtHundredAndAboveHundredIsThreshold() {
        var aggregator = PartitionAggregator(configuration: bigLatenessConfiguration())
        var announced: [[QuotaEvent]] = []
        for n in 0..<20 {
            announced.append(F.quotaEvents(aggregator.ingest(F.request(id: "r\(n)", at: Self.dayStart + Int64(n) * 1000))))
        }
        // limit 10, thresholds 50, 80, 100, 150: crossed by the 5th, 8th, 10th and 15th request.
        let crossing = announced.enumerated().filter { !$0.element.isEmpty }.map(\.offset)
        #expect(crossing == [4, 7, 9, 14])
        let events = announced.flatMap { $0 }
        #expect(events.map(\.threshold) == [50, 80, 100, 150])
        #expect(events.map(\.kind) == [.threshold, .threshold, .exceeded, .threshold])
        #expect(events.map(\.usage) == [5, 8, 10, 15])
        #expect(events.allSatisfy { $0.hard && $0.limit == 10 && $0.feature == "ok_requests" && $0.customer == "acme" })
        #expect(events.allSatisfy { $0.periodStartMillis == Self.dayStart && $0.periodEndMillis == Self.dayStart + Self.day })
        #expect(events[2].eventTimeMillis == Self.dayStart + 9_000)
    }

    @Test func requestsNotMatchingTheFeatureFilterDoNotCount() {
        var aggregator = PartitionAggregator(configuration: bigLatenessConfiguration())
        let events = ingest(&aggregator, (0..<20).map { F.request(id: "r\($0)", at: Self.dayStart + Int64($0), status: "500") })
        #expect(events.isEmpty)
    }

    @Test func sumUsageOneEventCanCrossSeveralThresholds() {
        var aggregator = PartitionAggregator(configuration: bigLatenessConfiguration())
        var events = ingest(&aggregator, [F.tokenUse(id: "a", at: Self.dayStart, tokens: 499)])
        #expect(events.isEmpty)
        events = ingest(&aggregator, [F.tokenUse(id: "b", at: Self.dayStart + 1, tokens: 1)])
        // acme's tokens limit is overridden to 500, period month (February 2024, 29 days).
        #expect(events.map(\.kind) == [.exceeded])
        #expect(events.first?.periodEndMillis == 1_709_251_200_000)
        #expect(events.first?.limit == 500)
        #expect(events.first?.hard == false)
    }

    @Test func passthroughCustomersHaveNoQuotas() {
        var aggregator = PartitionAggregator(configuration: bigLatenessConfiguration())
        let events = ingest(&aggregator, (0..<50).map { F.request("stranger", id: "r\($0)", at: Self.dayStart + Int64($0)) })
        #expect(events.isEmpty)
    }

    @Test func resetForALaterPeriodWithUsageAfterAnAnnouncement() {
        var aggregator = PartitionAggregator(configuration: bigLatenessConfiguration())
        let first = ingest(&aggregator, (0..<5).map { F.request(id: "d1-\($0)", at: Self.dayStart + Int64($0)) })
        #expect(first.map(\.threshold) == [50])
        let next = ingest(&aggregator, [F.request(id: "d2-0", at: Self.dayStart + Self.day + 5)])
        #expect(next.map(\.kind) == [.reset])
        #expect(next.first?.threshold == 0)
        #expect(next.first?.periodStartMillis == Self.dayStart + Self.day)
        #expect(next.first?.usage == 1)
        let again = ingest(&aggregator, [F.request(id: "d2-1", at: Self.dayStart + Self.day + 6)])
        #expect(again.isEmpty, "one reset per period")
        let dayThree = ingest(&aggregator, [F.request(id: "d3-0", at: Self.dayStart + 2 * Self.day)])
        #expect(dayThree.map(\.kind) == [.reset], "any earlier period counts, not just the previous one")
    }

    @Test func noResetWithoutAnEarlierAnnouncement() {
        var aggregator = PartitionAggregator(configuration: bigLatenessConfiguration())
        let events = ingest(&aggregator, [
            F.request(id: "a", at: Self.dayStart),
            F.request(id: "b", at: Self.dayStart + Self.day),
            F.request(id: "c", at: Self.dayStart + 2 * Self.day),
        ])
        #expect(events.isEmpty)
    }

    @Test func lateCrossingInAnEarlierPeriodEarnsLaterPeriodsTheirReset() {
        var aggregator = PartitionAggregator(configuration: bigLatenessConfiguration())
        _ = ingest(&aggregator, (0..<4).map { F.request(id: "d1-\($0)", at: Self.dayStart + Int64($0)) })
        let dayTwo = ingest(&aggregator, [F.request(id: "d2", at: Self.dayStart + Self.day)])
        #expect(dayTwo.isEmpty)
        let lateCrossing = ingest(&aggregator, [F.request(id: "d1-late", at: Self.dayStart + 100)])
        #expect(lateCrossing.map(\.kind) == [.threshold, .reset])
        #expect(lateCrossing.map(\.periodStartMillis) == [Self.dayStart, Self.dayStart + Self.day])
        #expect(lateCrossing.last?.usage == 1)
        // Still monotone: more crossings earn nothing more for day two.
        let more = ingest(&aggregator, (0..<10).map { F.request(id: "d1-more\($0)", at: Self.dayStart + 200 + Int64($0)) })
        #expect(!more.contains { $0.kind == .reset })
    }

    @Test func resetComesBeforeTheThresholdsOfTheSameEvent() {
        var config = bigLatenessConfiguration()
        config.customers[0].overrides["ok_requests"] = QuotaOverride(limit: 1)
        var aggregator = PartitionAggregator(configuration: config)
        _ = ingest(&aggregator, [F.request(id: "a", at: Self.dayStart)])
        let events = ingest(&aggregator, [F.request(id: "b", at: Self.dayStart + Self.day)])
        #expect(events.map(\.kind) == [.reset, .threshold, .threshold, .exceeded], "usage 1 is below 150% of 1")
    }

    @Test func quotaPeriodsExpireOnceTheyCanNoLongerReceiveEvents() {
        var config = F.configuration()
        config.plans["free"]?.rules["ok_requests"]?.period = .hour
        config.customers[0].overrides["ok_requests"] = QuotaOverride(limit: 1)
        var aggregator = PartitionAggregator(configuration: config)
        let hour: Int64 = 3_600_000
        let crossing = F.quotaEvents(aggregator.ingest(F.request(id: "a", at: Self.dayStart)))
        #expect(crossing.contains { $0.kind == .exceeded })
        #expect(aggregator.stateSize.quotaPeriods == 1)
        // The hour's last window [h+59 min, h+60 min) expires at h + 60 min + 10 s + 120 s.
        _ = aggregator.ingest(F.request("stranger", id: "p", at: Self.dayStart + hour + 129_999))
        _ = aggregator.flush()
        #expect(aggregator.stateSize.quotaPeriods == 1)
        _ = aggregator.ingest(F.request("stranger", id: "q", at: Self.dayStart + hour + 130_000))
        _ = aggregator.flush()
        #expect(aggregator.stateSize.quotaPeriods == 0)
        // The announcement history stays, so a new period still gets its reset.
        let reset = F.quotaEvents(aggregator.ingest(F.request(id: "b", at: Self.dayStart + 3 * hour)))
        #expect(reset.map(\.kind) == [.reset, .threshold, .threshold, .exceeded])
    }
}
