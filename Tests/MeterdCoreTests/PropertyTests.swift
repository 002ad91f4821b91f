import Testing
import MeterdCore

@Suite struct PropertyTests {
    typealias P = PropertySupport
    let config = P.configuration()

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func finalRollupsAndQuotaEventsDoNotDependOnOrderWithinLateness(seed: UInt64) throws {
        let records = P.orderedRecords(count: 700, seed: seed)
        var reference = PartitionAggregator(configuration: config)
        let baseline = try P.run(records, flushEvery: 7, aggregator: &reference)
        #expect(!baseline.results.contains(.rejected(.tooLate)))
        #expect(baseline.results.contains(.duplicate))
        let expectedRollups = P.finalRollups(baseline.rollups)
        let expectedQuota = P.identities(baseline.quotaEvents)
        #expect(expectedQuota.contains { $0.kind == "quota.reset" })
        #expect(expectedQuota.contains { $0.kind == "quota.exceeded" })

        var rng = SeededGenerator(seed: seed &+ 100)
        for flushEvery in [1, 13, 50] {
            let shuffled = P.shuffledWithin(records, span: 6_600_000, using: &rng)
            #expect(shuffled != records)
            var aggregator = PartitionAggregator(configuration: config)
            let output = try P.run(shuffled, flushEvery: flushEvery, aggregator: &aggregator)
            #expect(!output.results.contains(.rejected(.tooLate)))
            #expect(output.rollups.contains { $0.revision > 1 }, "the run must exercise late revisions")
            #expect(P.finalRollups(output.rollups) == expectedRollups)
            #expect(P.identities(output.quotaEvents) == expectedQuota)
            #expect(Set(output.quotaEvents.map { CloudEventEncoder.eventId(of: $0) }).count == output.quotaEvents.count,
                    "each announcement exactly once")
        }
    }

    @Test(arguments: [5, 6] as [UInt64])
    func finalRollupsAndQuotaEventsMatchANaiveOracle(seed: UInt64) throws {
        let records = P.orderedRecords(count: 600, seed: seed)
        var rng = SeededGenerator(seed: seed)
        var aggregator = PartitionAggregator(configuration: config)
        let output = try P.run(P.shuffledWithin(records, span: 6_600_000, using: &rng), flushEvery: 11, aggregator: &aggregator)
        let actual = P.finalRollups(output.rollups)
        let expected = PropertyOracle.rollups(records, config)
        #expect(Set(actual.keys) == Set(expected.keys))
        for (key, rollup) in actual {
            guard let oracle = expected[key] else { continue }
            #expect(abs(rollup.value - oracle.value) <= 1e-9 * max(1, abs(oracle.value)), "\(key)")
            #expect(rollup.eventCount == oracle.eventCount, "\(key)")
            #expect(rollup.subjects == oracle.subjects, "\(key)")
        }
        #expect(P.identities(output.quotaEvents) == PropertyOracle.quotaIdentities(records, config))
    }

    @Test(arguments: [7, 8, 9] as [UInt64])
    func snapshotRestoreContinueEqualsAnUninterruptedRun(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let records = P.shuffledWithin(P.orderedRecords(count: 500, seed: seed), span: 300_000, using: &rng)
        var uninterrupted = PartitionAggregator(configuration: config)
        let expected = try P.run(records, flushEvery: 9, aggregator: &uninterrupted)
        let restorePoints = Set((0..<8).map { _ in Int.random(in: 1..<records.count, using: &rng) })
        var restored = PartitionAggregator(configuration: config)
        let actual = try P.run(records, flushEvery: 9, aggregator: &restored, restoreAt: restorePoints)
        #expect(actual == expected)
        #expect(restored.snapshot() == uninterrupted.snapshot())

    }

    @Test(arguments: [7, 8, 10] as [UInt64])
    func changelogRestoreContinueEqualsAnUninterruptedRun(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let records = P.shuffledWithin(P.orderedRecords(count: 500, seed: seed), span: 300_000, using: &rng)
        var uninterrupted = PartitionAggregator(configuration: config)
        let expected = try P.run(records, flushEvery: 9, aggregator: &uninterrupted)
        let restorePoints = Set((0..<8).map { _ in Int.random(in: 1..<records.count, using: &rng) })
        let refreshPoints = Set((0..<3).map { _ in Int.random(in: 1..<records.count, using: &rng) })
        var fromChangelog = PartitionAggregator(configuration: config)
        var changelog: P.CompactedChangelog? = P.CompactedChangelog()
        let replayed = try P.run(records, flushEvery: 9, aggregator: &fromChangelog, restoreAt: restorePoints,
                                 changelog: &changelog, refreshAt: refreshPoints)
        #expect(replayed == expected)
        #expect(fromChangelog.snapshot() == uninterrupted.snapshot())
        #expect(changelog == P.CompactedChangelog.fullRefresh(of: uninterrupted), "incremental changes add up to a full refresh")
    }

    @Test(arguments: [16, 17] as [UInt64])
    func changelogMatchesAFullRefreshAtEveryFlush(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let records = P.shuffledWithin(P.orderedRecords(count: 400, seed: seed), span: 600_000, using: &rng)
        var aggregator = PartitionAggregator(configuration: config)
        var changelog = P.CompactedChangelog()
        for (n, record) in records.enumerated() {
            _ = aggregator.ingest(record)
            guard n % 7 == 6 else { continue }
            _ = aggregator.flush()
            changelog.apply(aggregator.takeStateChanges())
            #expect(changelog == P.CompactedChangelog.fullRefresh(of: aggregator))
            #expect(try changelog.restore(aggregator.compiled).snapshot() == aggregator.snapshot())
        }
        #expect(changelog.records.count > 20)
    }

    @Test func sameInputGivesByteIdenticalOutputs() throws {
        let records = P.orderedRecords(count: 300, seed: 21)
        let encoder = CloudEventEncoder(appId: "meterd")
        var first = PartitionAggregator(configuration: config)
        var second = PartitionAggregator(configuration: config)
        let a = try P.run(records, flushEvery: 5, aggregator: &first)
        let b = try P.run(records, flushEvery: 5, aggregator: &second)
        #expect(a.rollups.map(encoder.encode) == b.rollups.map(encoder.encode))
        #expect(a.quotaEvents.map(encoder.encode) == b.quotaEvents.map(encoder.encode))
        #expect(!a.rollups.isEmpty)
    }

    @Test func snapshotsAreByteStableAndRoundTrip() throws {
        let records = P.orderedRecords(count: 300, seed: 11)
        var aggregator = PartitionAggregator(configuration: config)
        for record in records.prefix(250) { _ = aggregator.ingest(record) }
        _ = aggregator.flush()
        for record in records.dropFirst(250) { _ = aggregator.ingest(record) }
        let bytes = aggregator.snapshot()
        let restored = try PartitionAggregator(configuration: config, snapshot: bytes)
        #expect(restored.snapshot() == bytes)
        #expect(restored.customers == aggregator.customers)
        #expect(restored.streamTimeMillis == aggregator.streamTimeMillis)
        #expect(restored.stateSize == aggregator.stateSize)
    }

    @Test(arguments: [12, 13] as [UInt64])
    func stateDropsToZeroOnceStreamTimePassesEverything(seed: UInt64) throws {
        var aggregator = PartitionAggregator(configuration: config)
        let output = try P.run(P.orderedRecords(count: 400, seed: seed), flushEvery: 5, aggregator: &aggregator)
        #expect(!output.rollups.isEmpty)
        let size = aggregator.stateSize
        #expect(size.openWindows == 0)
        #expect(size.rollupGroups == 0)
        #expect(size.dedupeEntries == 0)
        #expect(size.quotaPeriods == 0)
        #expect(Set(aggregator.customers.keys).isSubset(of: ["acme", "globex"]), "only quota announcement history remains")
        #expect(aggregator.snapshot().count < 200)
    }

    @Test(arguments: [12, 13] as [UInt64])
    func changelogForgetsEverythingThatExpired(seed: UInt64) throws {
        let records = P.orderedRecords(count: 400, seed: seed)
        var aggregator = PartitionAggregator(configuration: config)
        var changelog: P.CompactedChangelog? = P.CompactedChangelog()
        _ = try P.run(records, flushEvery: 5, aggregator: &aggregator, changelog: &changelog)
        let quotaHistory = try #require(changelog)
        #expect(quotaHistory.records.count <= 2, "only acme's and globex's quota announcement history remains")
        #expect(quotaHistory == P.CompactedChangelog.fullRefresh(of: aggregator))
        #expect(try quotaHistory.restore(aggregator.compiled).snapshot() == aggregator.snapshot())

        // Customers without quota rules leave nothing at all.
        let strangers = records.filter { $0.customer.hasPrefix("stranger") }
        var strangerAggregator = PartitionAggregator(configuration: config)
        var strangerChangelog: P.CompactedChangelog? = P.CompactedChangelog()
        let output = try P.run(strangers, flushEvery: 5, aggregator: &strangerAggregator, changelog: &strangerChangelog)
        #expect(!output.rollups.isEmpty)
        #expect(strangerChangelog?.records.isEmpty == true, "every key tombstoned")
    }

    @Test(arguments: [14, 15] as [UInt64])
    func disjointCustomerPartitionsProduceExactlyTheUnion(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let sideA: Set<String> = ["acme", "stranger1"]
        var whole = PartitionAggregator(configuration: config)
        var partA = PartitionAggregator(configuration: config)
        var partB = PartitionAggregator(configuration: config)
        var batchTime = P.start
        var id = 0
        for batch in 0..<120 {
            batchTime += Int64.random(in: 0...180_000, using: &rng)
            // Each side gets a sample-less pacer at the batch's greatest time
            // first, so all three aggregators share the same stream time.
            var records = [
                UsageRecord(customer: "acme", subject: "acme-web", source: "pacer", id: "pa\(batch)", eventTimeMillis: batchTime, samples: []),
                UsageRecord(customer: "globex", subject: "globex", source: "pacer", id: "pb\(batch)", eventTimeMillis: batchTime, samples: []),
            ]
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                id += 1
                let customer = P.customers[Int.random(in: 0..<P.customers.count, using: &rng)]
                let time = batchTime - Int64.random(in: 0...240_000, using: &rng)
                records.append(P.randomRecord(customer, id: "e\(id)", at: time, using: &rng))
                if Int.random(in: 0..<8, using: &rng) == 0 { records.append(records[records.count - 1]) }
            }
            for record in records {
                let combined = whole.ingest(record)
                let split = sideA.contains(record.customer) ? partA.ingest(record) : partB.ingest(record)
                #expect(combined == split)
            }
            let union = (partA.flush() + partB.flush()).sorted { ($0.key, $0.revision) < ($1.key, $1.revision) }
            let combined = whole.flush().sorted { ($0.key, $0.revision) < ($1.key, $1.revision) }
            #expect(combined == union)
        }
        var wholeLog = P.CompactedChangelog()
        var unionLog = P.CompactedChangelog()
        wholeLog.apply(whole.takeStateChanges())
        unionLog.apply(partA.takeStateChanges())
        let partBChanges = partB.takeStateChanges()
        #expect(Set(unionLog.records.keys).isDisjoint(with: partBChanges.records.map(\.key)))
        unionLog.apply(partBChanges)
        #expect(wholeLog == unionLog, "state records are keyed by customer")
        #expect(whole.stats.lateUpdatedRollups > 0)
        #expect(whole.stats.lateUpdatedRollups == partA.stats.lateUpdatedRollups + partB.stats.lateUpdatedRollups)
        #expect(whole.stats.dedupedEvents == partA.stats.dedupedEvents + partB.stats.dedupedEvents)
    }
}
