import Testing
@testable import MeterdCore

/// `PartitionAggregator.prepareReplay` and re-read ingestion: what
/// `meterd replay` relies on in each aggregation partition.
@Suite struct ReplayTests {
    typealias F = AggFixtures
    static let minute = F.minute

    /// Requests and token uses over minutes 0…5, some late, then a pacer far
    /// enough ahead that every window is emitted but still live.
    static func traffic() -> [UsageRecord] {
        var records: [UsageRecord] = []
        for i in 0..<60 {
            let time = Int64(i) * 6_000 + 500
            records.append(F.request(i % 3 == 0 ? "globex" : "acme", id: "r\(i)", at: time, status: i % 4 == 0 ? "500" : "200"))
            if i % 5 == 0 { records.append(F.tokenUse(id: "t\(i)", at: time + 10, tokens: Double(i))) }
        }
        records.append(F.request(id: "late-1", at: 30_000))     // revises window 0 after it closed
        return records
    }

    static let pacer = F.request("globex", id: "pacer", at: 6 * minute + 20_000, status: "500")

    /// Latest revision per rollup key.
    static func latest(_ rollups: [RollupRevision]) -> [String: RollupRevision] {
        var latest: [String: RollupRevision] = [:]
        for rollup in rollups {
            let key = "\(rollup.customer)/\(rollup.feature)/\(rollup.windowStartMillis)/\(rollup.breakdown.map { "\($0.name)=\($0.value)" })"
            if (latest[key]?.revision ?? 0) < rollup.revision { latest[key] = rollup }
        }
        return latest
    }

    /// Ingests `records` flushing after each, as the pipeline does at commits.
    static func run(_ aggregator: inout PartitionAggregator, _ records: [UsageRecord], replayed: Bool = false) -> (rollups: [RollupRevision], quota: [QuotaEvent], results: [IngestResult]) {
        var rollups: [RollupRevision] = []
        var quota: [QuotaEvent] = []
        var results: [IngestResult] = []
        for record in records {
            let result = aggregator.ingest(record, replayed: replayed)
            results.append(result)
            quota += F.quotaEvents(result)
            rollups += aggregator.flush()
        }
        return (rollups, quota, results)
    }

    @Test func replayRebuildsTheSameValuesWithHigherRevisions() throws {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        let first = Self.run(&aggregator, Self.traffic() + [Self.pacer])
        let before = Self.latest(first.rollups)
        let from = 2 * Self.minute + 1_234
        let prepared = aggregator.prepareReplay(fromMillis: from)
        let preparation = try #require(prepared)
        #expect(preparation.scope.fromWindowStart == 2 * Self.minute)
        #expect(preparation.scope.untilWindowStart == 7 * Self.minute, "the window holding stream time is the last one rebuilt")
        #expect(preparation.scope.revisionBase == first.rollups.map(\.revision).max())
        #expect(preparation.droppedWindows > 0)
        #expect(preparation.streamTimeAfter == 2 * Self.minute)

        let replay = Self.run(&aggregator, Self.traffic() + [Self.pacer], replayed: true)
        #expect(replay.quota.isEmpty, "quota usage counted these records already")
        #expect(replay.rollups.allSatisfy { $0.windowStartMillis >= 2 * Self.minute }, "windows before --from are not re-emitted")
        #expect(replay.rollups.allSatisfy { $0.revision > preparation.scope.revisionBase })
        let skipped = replay.results.filter { $0 == .alreadyCounted }.count
        #expect(skipped == Self.traffic().filter { $0.eventTimeMillis < 2 * Self.minute }.count)
        #expect(aggregator.stats.replaySkippedEvents == Int64(skipped))

        var after = before
        for (key, rollup) in Self.latest(replay.rollups) { after[key] = rollup }
        #expect(after.keys.sorted() == before.keys.sorted())
        for (key, rollup) in after {
            let old = try #require(before[key])
            #expect(rollup.value == old.value, "\(key)")
            #expect(rollup.eventCount == old.eventCount, "\(key)")
            #expect(rollup.subjects == old.subjects, "\(key)")
            if rollup.windowStartMillis >= 2 * Self.minute { #expect(rollup.revision > old.revision, "\(key)") }
        }
    }

    @Test func expiredWindowsAreRebuiltAndLateDataIsCorrected() throws {
        // Lateness of 1 minute: by the pacer, windows 0…3 have expired.
        let windows = WindowSettings(sizeMillis: 60_000, graceMillis: 10_000, allowedLatenessMillis: 60_000, idleTimeoutMillis: 5_000)
        var aggregator = PartitionAggregator(configuration: F.configuration(windows: windows))
        let traffic = Self.traffic() + [Self.pacer]
        let first = Self.run(&aggregator, traffic)
        let tooLate = F.request(id: "very-late", at: 5_000)
        #expect(aggregator.ingest(tooLate) == .rejected(.tooLate))
        #expect(aggregator.customers.values.allSatisfy { $0.windows[0] == nil }, "window 0 expired")

        let prepared = aggregator.prepareReplay(fromMillis: 0)
        let preparation = try #require(prepared)
        // The replay re-reads the input, where the rejected record now sits in order.
        let replay = Self.run(&aggregator, [tooLate] + traffic, replayed: true)
        let rebuilt = Self.latest(replay.rollups)
        let windowZero = try #require(rebuilt["acme/ok_requests/0/[]"])
        let original = try #require(Self.latest(first.rollups)["acme/ok_requests/0/[]"])
        #expect(windowZero.value == original.value + 1, "the record that was too late is counted now")
        #expect(windowZero.revision > preparation.scope.revisionBase)
        #expect(replay.quota.isEmpty)
    }

    @Test func untilBoundsTheRebuiltWindows() throws {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        let first = Self.run(&aggregator, Self.traffic() + [Self.pacer])
        let prepared = aggregator.prepareReplay(fromMillis: Self.minute, untilMillis: 3 * Self.minute)
        let preparation = try #require(prepared)
        #expect(preparation.scope.fromWindowStart == Self.minute)
        #expect(preparation.scope.untilWindowStart == 3 * Self.minute)
        var replay = Self.run(&aggregator, Self.traffic(), replayed: true)
        // Re-read records after --to do not move stream time; live traffic does.
        replay.rollups += Self.run(&aggregator, [F.request("globex", id: "live", at: 7 * Self.minute, status: "500")]).rollups
        #expect(Set(replay.rollups.map(\.windowStartMillis)) == [Self.minute, 2 * Self.minute])
        let before = Self.latest(first.rollups)
        for (key, rollup) in Self.latest(replay.rollups) {
            #expect(rollup.value == before[key]?.value, "\(key)")
        }
    }

    @Test func aBoundedReplayCountsRecordsThatWereTooLateAmongLaterTraffic() throws {
        // A gateway outage: minute-0 records delivered after minute 6's traffic, beyond lateness.
        let windows = WindowSettings(sizeMillis: 60_000, graceMillis: 10_000, allowedLatenessMillis: 60_000, idleTimeoutMillis: 5_000)
        var aggregator = PartitionAggregator(configuration: F.configuration(windows: windows))
        let delayed = (0..<5).map { F.request("globex", id: "outage-\($0)", at: 20_000 + Int64($0)) }
        let input = Self.traffic().filter { $0.eventTimeMillis >= Self.minute } + [Self.pacer] + delayed
        let first = Self.run(&aggregator, input)
        #expect(first.results.suffix(5).allSatisfy { $0 == .rejected(.tooLate) })
        let prepared = aggregator.prepareReplay(fromMillis: 0, untilMillis: Self.minute)
        #expect(prepared?.scope.untilWindowStart == Self.minute)
        var replay = Self.run(&aggregator, input, replayed: true)
        #expect(replay.results.suffix(5).allSatisfy { $0 == .accepted(quotaEvents: []) }, "\(replay.results.suffix(5))")
        replay.rollups += Self.run(&aggregator, [F.request("globex", id: "live", at: 8 * Self.minute, status: "500")]).rollups
        let rebuilt = Self.latest(replay.rollups)
        #expect(rebuilt["globex/ok_requests/0/[]"]?.value == 5)
        let untouched = ["/60000/", "/120000/", "/180000/", "/240000/", "/300000/"]
        #expect(!rebuilt.keys.contains { key in untouched.contains { key.contains($0) } }, "windows after --to are not re-emitted")
    }

    @Test func liveRecordsAfterTheReplayAreCountedNormally() throws {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        _ = Self.run(&aggregator, Self.traffic() + [Self.pacer])
        let prepared = aggregator.prepareReplay(fromMillis: 0)
        #expect(prepared != nil)
        _ = Self.run(&aggregator, Self.traffic() + [Self.pacer], replayed: true)
        // A new window after the replay range starts at revision 1.
        let fresh = Self.run(&aggregator, [F.request(id: "new", at: 8 * Self.minute), F.request("globex", id: "pacer-2", at: 9 * Self.minute + 20_000, status: "500")])
        let newWindow = fresh.rollups.filter { $0.windowStartMillis == 8 * Self.minute && $0.customer == "acme" }
        #expect(!newWindow.isEmpty)
        #expect(newWindow.allSatisfy { $0.revision == 1 })
    }

    @Test func prepareReplayWithNothingInRangeReturnsNil() {
        var empty = PartitionAggregator(configuration: F.configuration())
        #expect(empty.prepareReplay(fromMillis: 0) == nil)
        var aggregator = PartitionAggregator(configuration: F.configuration())
        _ = Self.run(&aggregator, Self.traffic())
        #expect(aggregator.prepareReplay(fromMillis: 60 * Self.minute) == nil, "after stream time")
        #expect(aggregator.prepareReplay(fromMillis: 0, untilMillis: 0) == nil, "empty range")
        #expect(aggregator.replayScope == nil)
    }

    @Test func preparedStateRoundTripsThroughSnapshotAndChangelog() throws {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        _ = Self.run(&aggregator, Self.traffic() + [Self.pacer])
        let compiled = aggregator.compiled
        var records: [[UInt8]: [UInt8]] = [:]
        for record in aggregator.takeStateChanges().records { records[record.key] = record.value }
        let prepared = aggregator.prepareReplay(fromMillis: 2 * Self.minute)
        #expect(prepared != nil)
        let changes = aggregator.takeStateChanges()
        #expect(changes.records.contains { $0.value == nil }, "dropped windows leave tombstones")
        for record in changes.records { records[record.key] = record.value }
        records = records.filter { _, value in !value.isEmpty }
        let live = records.compactMapValues { $0 }
        let restored = try PartitionAggregator(compiled: compiled, header: changes.header, records: live)
        #expect(restored.replayScope == aggregator.replayScope)
        #expect(restored.maxEmittedRevision == aggregator.maxEmittedRevision)
        #expect(restored.snapshot() == aggregator.snapshot())
        let fromSnapshot = try PartitionAggregator(compiled: compiled, snapshot: aggregator.snapshot())
        #expect(fromSnapshot.replayScope == aggregator.replayScope)
    }
}
