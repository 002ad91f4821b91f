import MeterdCore

/// Seeded usage generator, a driver that runs records through an aggregator,
/// and a naive oracle that recomputes rollups and quota announcements from
/// the configuration without calling the code under test.
enum PropertySupport {
    static let hour: Int64 = 3_600_000
    static let start: Int64 = 1_706_745_600_000  // 2024-02-01T00:00:00Z
    static let customers = ["acme", "globex", "stranger1", "stranger2"]

    static func configuration() -> MeterdConfiguration {
        var config = AggFixtures.configuration(windows: WindowSettings(
            sizeMillis: 60_000, graceMillis: 10_000, allowedLatenessMillis: 7_200_000, idleTimeoutMillis: 5_000
        ))
        config.plans = ["pro": Plan(name: "pro", rules: [
            "ok_requests": QuotaRule(limit: 12, period: .hour, thresholds: [50, 100, 150], hard: true),
            "tokens": QuotaRule(limit: 300, period: .day, thresholds: [50, 100]),
        ])]
        config.customers = [
            CustomerDefinition(key: "acme", subjects: ["acme-web", "acme-mobile"], plan: "pro"),
            CustomerDefinition(key: "globex", subjects: ["globex"], plan: "pro"),
        ]
        return config
    }

    /// One random record at `time`.
    static func randomRecord(_ customer: String, id: String, at time: Int64, using rng: inout SeededGenerator) -> UsageRecord {
        let subject = customer + (Bool.random(using: &rng) ? "-web" : "-mobile")
        func pick<T>(_ options: [T]) -> T { options[Int.random(in: 0..<options.count, using: &rng)] }
        var samples: [MeterSample]
        switch Int.random(in: 0..<3, using: &rng) {
        case 0:
            samples = [MeterSample(meterIndex: AggFixtures.requests, value: .none,
                                   dimensions: [pick(["chat", "embed", nil]), pick(["200", "201", "500", nil])])]
        case 1:
            let tokens = Double(Int.random(in: 0...400, using: &rng)) * 0.25
            samples = [MeterSample(meterIndex: AggFixtures.tokens, value: .number(tokens), dimensions: [pick(["gpt-4o", "claude", nil])])]
        default:
            let latency = Double(Int.random(in: -20...400, using: &rng)) / 8
            samples = [
                MeterSample(meterIndex: AggFixtures.users, value: .text(pick(["u1", "u2", "u3", "u4"])), dimensions: []),
                MeterSample(meterIndex: AggFixtures.latencyAvg, value: .number(latency), dimensions: []),
                MeterSample(meterIndex: AggFixtures.latencyMin, value: .number(latency), dimensions: []),
                MeterSample(meterIndex: AggFixtures.latencyMax, value: .number(latency), dimensions: []),
                MeterSample(meterIndex: AggFixtures.price, value: .number(Double(Int.random(in: 0...9, using: &rng))), dimensions: []),
            ]
            if Bool.random(using: &rng) { samples.removeFirst() }
        }
        return UsageRecord(customer: customer, subject: subject, source: "kong", id: id, eventTimeMillis: time, samples: samples)
    }

    /// Records in event-time order with ~10% duplicates next to their original.
    static func orderedRecords(count: Int, seed: UInt64) -> [UsageRecord] {
        var rng = SeededGenerator(seed: seed)
        var time = start
        var records: [UsageRecord] = []
        for n in 0..<count {
            time += Int64.random(in: 0...40_000, using: &rng)
            let customer = customers[Int.random(in: 0..<customers.count, using: &rng)]
            let record = randomRecord(customer, id: "e\(n)", at: time, using: &rng)
            records.append(record)
            if Int.random(in: 0..<10, using: &rng) == 0 { records.append(record) }
        }
        return records
    }

    /// Shuffles within consecutive event-time blocks of `span` ms, so no
    /// record is processed later than `span` after a later-stamped one.
    static func shuffledWithin(_ records: [UsageRecord], span: Int64, using rng: inout SeededGenerator) -> [UsageRecord] {
        var blocks: [[UsageRecord]] = []
        for record in records {
            if let first = blocks.last?.first, record.eventTimeMillis - first.eventTimeMillis < span {
                blocks[blocks.count - 1].append(record)
            } else {
                blocks.append([record])
            }
        }
        return blocks.flatMap { $0.shuffled(using: &rng) }
    }

    /// Everything one run produced, in order.
    struct RunOutput: Equatable {
        var results: [IngestResult] = []
        var flushes: [[RollupRevision]] = []

        var rollups: [RollupRevision] { flushes.flatMap { $0 } }
        var quotaEvents: [QuotaEvent] { results.flatMap { AggFixtures.quotaEvents($0) } }
    }

    /// Feeds `records` with a manual wall clock (1 ms per record, so idle
    /// advance never fires), flushing every `flushEvery` records; then idles
    /// the clock far enough that every window closes and expires. With a
    /// `changelog`, the state changes are taken after every flush (as the
    /// pipeline does at each commit) and at restore points, and restores
    /// read the changelog; `refreshAt` marks all state changed first.
    static func run(_ records: [UsageRecord], flushEvery: Int, aggregator: inout PartitionAggregator,
                    restoreAt: Set<Int> = [], changelog: inout CompactedChangelog?, refreshAt: Set<Int> = [],
                    wallClock: Int64 = 0) throws -> RunOutput {
        var output = RunOutput()
        var wall = wallClock
        func flush() {
            output.flushes.append(aggregator.flush())
            changelog?.apply(aggregator.takeStateChanges())
        }
        for (n, record) in records.enumerated() {
            if refreshAt.contains(n) { aggregator.markAllStateChanged() }
            if restoreAt.contains(n) {
                if changelog != nil {
                    changelog?.apply(aggregator.takeStateChanges())
                    aggregator = try changelog?.restore(aggregator.compiled) ?? aggregator
                } else {
                    aggregator = try PartitionAggregator(configuration: aggregator.compiled.configuration, snapshot: aggregator.snapshot())
                }
            }
            output.results.append(aggregator.ingest(record))
            wall += 1
            aggregator.advance(wallClockMillis: wall)
            if (n + 1) % flushEvery == 0 { flush() }
        }
        flush()
        aggregator.advance(wallClockMillis: wall + 1)
        aggregator.advance(wallClockMillis: wall + 2 + 5_000 + 30 * 86_400_000)
        flush()
        return output
    }

    static func run(_ records: [UsageRecord], flushEvery: Int, aggregator: inout PartitionAggregator,
                    restoreAt: Set<Int> = [], wallClock: Int64 = 0) throws -> RunOutput {
        var none: CompactedChangelog?
        return try run(records, flushEvery: flushEvery, aggregator: &aggregator, restoreAt: restoreAt, changelog: &none, wallClock: wallClock)
    }

    /// What a compacted changelog topic keeps: the latest header and the
    /// latest value per key (a tombstone removes the key).
    struct CompactedChangelog: Equatable {
        var header: [UInt8]?
        var records: [[UInt8]: [UInt8]] = [:]

        mutating func apply(_ changes: AggregatorStateChanges) {
            header = changes.header
            for record in changes.records { records[record.key] = record.value }
        }

        func restore(_ compiled: CompiledConfiguration) throws -> PartitionAggregator {
            try PartitionAggregator(compiled: compiled, header: header, records: records)
        }

        /// A full refresh of `aggregator` written to an empty changelog.
        static func fullRefresh(of aggregator: PartitionAggregator) -> CompactedChangelog {
            var copy = aggregator
            copy.markAllStateChanged()
            var changelog = CompactedChangelog()
            changelog.apply(copy.takeStateChanges())
            return changelog
        }
    }

    /// Latest revision per rollup key, revision number blanked (it depends on flush timing).
    static func finalRollups(_ rollups: [RollupRevision]) -> [String: RollupRevision] {
        var latest: [String: RollupRevision] = [:]
        for rollup in rollups where (latest[rollup.key]?.revision ?? 0) < rollup.revision {
            latest[rollup.key] = rollup
        }
        return latest.mapValues { var r = $0; r.revision = 0; return r }
    }

    /// The identity of a quota announcement (usage and time depend on order).
    struct QuotaIdentity: Hashable {
        var kind: String
        var customer: String
        var feature: String
        var periodStart: Int64
        var threshold: Double
    }

    static func identities(_ events: [QuotaEvent]) -> Set<QuotaIdentity> {
        Set(events.map { QuotaIdentity(kind: $0.kind.rawValue, customer: $0.customer, feature: $0.feature,
                                       periodStart: $0.periodStartMillis, threshold: $0.threshold) })
    }
}
