import Testing
@testable import MeterdCore

@Suite struct WindowTests {
    typealias F = AggFixtures
    let windows = TumblingWindows(F.windows)

    @Test func windowStartIsEpochAlignedIncludingNegativeTimes() {
        #expect(windows.windowStart(containing: 0) == 0)
        #expect(windows.windowStart(containing: 59_999) == 0)
        #expect(windows.windowStart(containing: 60_000) == 60_000, "an event at windowEnd belongs to the next window")
        #expect(windows.windowStart(containing: -1) == -60_000)
        #expect(windows.windowStart(containing: -60_000) == -60_000)
        #expect(windows.windowStart(containing: -60_001) == -120_000)
    }

    @Test func extremeEventTimesDoNotTrap() {
        #expect(windows.windowStart(containing: .max) <= .max)
        #expect(windows.expiryTime(ofStart: windows.windowStart(containing: .max)) == .max)
        #expect(windows.windowStart(containing: .min) == .min)
        var aggregator = PartitionAggregator(configuration: F.configuration())
        let r1 = aggregator.ingest(F.request(id: "a", at: .max))
        #expect(r1 == .accepted(quotaEvents: []))
        _ = aggregator.ingest(F.request(id: "b", at: .min))
        _ = aggregator.flush()
        _ = aggregator.snapshot()
    }

    @Test func eventAtWindowEndGoesToNextWindow() {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        _ = aggregator.ingest(F.request(id: "a", at: 59_999))
        _ = aggregator.ingest(F.request(id: "b", at: 60_000))
        _ = aggregator.ingest(F.request(id: "pacer", at: 130_000, status: "500"))
        let rollups = aggregator.flush().only(feature: "ok_requests")
        #expect(rollups.map(\.windowStartMillis) == [0, 60_000])
        #expect(rollups.map(\.value) == [1, 1])
        #expect(rollups.map(\.windowEndMillis) == [60_000, 120_000])
    }

    @Test func windowIsEmittedExactlyWhenStreamTimeReachesEndPlusGrace() {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        _ = aggregator.ingest(F.request(id: "a", at: 1_000))
        _ = aggregator.ingest(F.request(id: "b", at: 69_999, status: "500"))
        let r2 = aggregator.flush()
        #expect(r2.isEmpty, "stream time 69 999 < end 60 000 + grace 10 000")
        _ = aggregator.ingest(F.request(id: "c", at: 70_000, status: "500"))
        let rollups = aggregator.flush().only(feature: "ok_requests")
        #expect(rollups.count == 1)
        #expect(rollups.first?.revision == 1)
        #expect(rollups.first?.windowStartMillis == 0)
        let r3 = aggregator.flush()
        #expect(r3.isEmpty, "nothing changed since the last flush")
    }

    @Test func lateEventsUpToAllowedLatenessUpdateWithCompleteValue() {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        _ = aggregator.ingest(F.request(id: "a", at: 1_000))
        _ = aggregator.ingest(F.request(id: "pacer", at: 70_000, status: "500"))
        let r4 = aggregator.flush()
        #expect(r4.only(feature: "ok_requests").map(\.value) == [1])
        // Expiry of window [0, 60 000) = 60 000 + 10 000 + 120 000 = 190 000.
        _ = aggregator.ingest(F.request(id: "pacer2", at: 189_999, status: "500"))
        let r5 = aggregator.ingest(F.request(id: "late1", at: 2_000))
        #expect(r5 == .accepted(quotaEvents: []))
        let r6 = aggregator.ingest(F.request(id: "late2", at: 3_000))
        #expect(r6 == .accepted(quotaEvents: []))
        let revised = aggregator.flush().filter { $0.feature == "ok_requests" && $0.windowStartMillis == 0 }
        #expect(revised.count == 1, "several late changes between two flushes give one revision")
        #expect(revised.first?.revision == 2)
        #expect(revised.first?.value == 3, "the complete value, not the delta")
        #expect(revised.first?.eventCount == 3)
        #expect(aggregator.stats.lateAcceptedEvents == 2)
        #expect(aggregator.stats.lateUpdatedRollups == 2, "ok_requests and requests_by_route")
        #expect(aggregator.stats.lateUpdatedWindows == 1)

        _ = aggregator.ingest(F.request(id: "pacer3", at: 190_000, status: "500"))
        let r7 = aggregator.ingest(F.request(id: "late3", at: 59_999))
        #expect(r7 == .rejected(.tooLate))
        #expect(aggregator.stats.tooLateRejects == 1)
        let r8 = aggregator.ingest(F.request(id: "ok", at: 60_000))
        #expect(r8 != .rejected(.tooLate))
    }

    @Test func lateEventWithNewBreakdownStartsAtRevisionOne() {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        _ = aggregator.ingest(F.request(id: "a", at: 1_000, route: "chat"))
        _ = aggregator.ingest(F.request(id: "pacer", at: 70_000, status: "500"))
        _ = aggregator.flush()
        _ = aggregator.ingest(F.request(id: "late", at: 2_000, route: "embed"))
        let revised = aggregator.flush().only(feature: "requests_by_route")
        #expect(revised.count == 1)
        #expect(revised.first?.revision == 1)
        #expect(revised.first?.breakdown == [.init(name: "route", value: "embed"), .init(name: "status", value: "200")])
    }

    @Test func tooLateWhenStreamTimeReachesExpiryAndStateIsDropped() {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        _ = aggregator.ingest(F.request(id: "a", at: 1_000))
        _ = aggregator.ingest(F.request(id: "pacer", at: 190_000, status: "500"))
        let rollups = aggregator.flush().filter { $0.windowStartMillis == 0 }
        #expect(rollups.only(feature: "ok_requests").map(\.revision) == [1], "emitted before being dropped")
        #expect(aggregator.customers["acme"]?.windows[0] == nil)
        let r9 = aggregator.ingest(F.request(id: "b", at: 0))
        #expect(r9 == .rejected(.tooLate))
    }

    @Test func negativeEventTimesWork() {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        _ = aggregator.ingest(F.request(id: "a", at: -1))
        _ = aggregator.ingest(F.request(id: "b", at: -60_000))
        _ = aggregator.ingest(F.request(id: "c", at: -60_001))
        _ = aggregator.ingest(F.request(id: "pacer", at: 10_000, status: "500"))
        let rollups = aggregator.flush().only(feature: "ok_requests")
        #expect(rollups.map(\.windowStartMillis) == [-120_000, -60_000])
        #expect(rollups.map(\.value) == [1, 2])
    }

    @Test func idleAdvanceMovesStreamTimeByIdleTimeBeyondTimeout() {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        _ = aggregator.ingest(F.request(id: "a", at: 1_000))
        let r10 = aggregator.advance(wallClockMillis: 1_000_000)
        #expect(!r10)
        let r11 = aggregator.advance(wallClockMillis: 1_005_000)
        #expect(!r11, "exactly the idle timeout: not beyond it")
        let r12 = aggregator.advance(wallClockMillis: 1_006_000)
        #expect(r12)
        #expect(aggregator.streamTimeMillis == 2_000, "advanced by 1 s, not to now")
        let r13 = aggregator.advance(wallClockMillis: 1_074_000)
        #expect(r13)
        #expect(aggregator.streamTimeMillis == 70_000)
        let r14 = aggregator.flush()
        #expect(r14.only(feature: "ok_requests").map(\.value) == [1])
        // A record resets the idle timer.
        _ = aggregator.ingest(F.request(id: "b", at: 70_500))
        let r15 = aggregator.advance(wallClockMillis: 1_080_000)
        #expect(!r15)
        let r16 = aggregator.advance(wallClockMillis: 1_084_000)
        #expect(!r16)
        #expect(aggregator.streamTimeMillis == 70_500)
        let r17 = aggregator.advance(wallClockMillis: 1_085_100)
        #expect(r17)
        #expect(aggregator.streamTimeMillis == 70_600)
    }

    @Test func idleAdvanceIgnoresAClockGoingBackwards() {
        var clock = StreamClock(idleTimeoutMillis: 5_000)
        clock.observe(eventTimeMillis: 100)
        clock.advance(wallClockMillis: 10_000)
        let r18 = clock.advance(wallClockMillis: 0)
        #expect(!r18)
        let r19 = clock.advance(wallClockMillis: 16_000)
        #expect(r19)
        #expect(clock.streamTimeMillis == 1_100)
        let r20 = clock.advance(wallClockMillis: 12_000)
        #expect(!r20)
        #expect(clock.streamTimeMillis == 1_100)
    }

    @Test func idleAdvanceWithoutAnyEventDoesNothing() {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        aggregator.advance(wallClockMillis: 0)
        let r21 = aggregator.advance(wallClockMillis: 1_000_000)
        #expect(!r21)
        #expect(aggregator.streamTimeMillis == nil)
        let r22 = aggregator.flush()
        #expect(r22.isEmpty)
    }

    @Test func rollupCarriesSubjectsAndAllAggregations() {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        let samples: [[MeterSample]] = [
            [F.sample(F.users, .text("u1")), F.sample(F.latencyAvg, .number(10)), F.sample(F.latencyMin, .number(10)),
             F.sample(F.latencyMax, .number(10)), F.sample(F.price, .number(1))],
            [F.sample(F.users, .text("u2")), F.sample(F.latencyAvg, .number(20)), F.sample(F.latencyMin, .number(20)),
             F.sample(F.latencyMax, .number(20)), F.sample(F.price, .number(2))],
        ]
        _ = aggregator.ingest(F.record(id: "b", at: 2_000, subject: "acme-web", samples: samples[1]))
        _ = aggregator.ingest(F.record(id: "a", at: 1_000, subject: "acme-mobile", samples: samples[0]))
        _ = aggregator.ingest(F.record(id: "p", at: 70_000, samples: []))
        let byFeature = Dictionary(uniqueKeysWithValues: aggregator.flush().map { ($0.feature, $0) })
        #expect(byFeature["users"]?.value == 2)
        #expect(byFeature["latency_avg"]?.value == 15)
        #expect(byFeature["latency_min"]?.value == 10)
        #expect(byFeature["latency_max"]?.value == 20)
        #expect(byFeature["price"]?.value == 2)
        #expect(byFeature["price"]?.subjects == ["acme-mobile", "acme-web"])
        #expect(byFeature["price"]?.meter == "price")
        #expect(byFeature["price"]?.aggregation == .latest)
        #expect(byFeature["users"]?.eventCount == 2)
    }

    @Test func flushOrderIsWindowCustomerFeatureBreakdown() {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        _ = aggregator.ingest(F.request("zeta", id: "1", at: 61_000, route: "b"))
        _ = aggregator.ingest(F.request("alpha", id: "2", at: 61_000, route: "b"))
        _ = aggregator.ingest(F.request("zeta", id: "3", at: 1_000, route: "a"))
        _ = aggregator.ingest(F.request("alpha", id: "4", at: 1_000, route: "b"))
        _ = aggregator.ingest(F.request("alpha", id: "5", at: 1_000, route: "a"))
        _ = aggregator.ingest(F.record("zeta", id: "p", at: 200_000, samples: []))
        let keys = aggregator.flush().map(\.key)
        #expect(keys == [
            "alpha/ok_requests/0", "alpha/requests_by_route/0/route=a/status=200", "alpha/requests_by_route/0/route=b/status=200",
            "zeta/ok_requests/0", "zeta/requests_by_route/0/route=a/status=200",
            "alpha/ok_requests/60000", "alpha/requests_by_route/60000/route=b/status=200",
            "zeta/ok_requests/60000", "zeta/requests_by_route/60000/route=b/status=200",
        ])
    }
}
