import MeterdCore

/// Drives one `PartitionAggregator` through a configuration with a feature
/// per aggregation and a quota plan, so that it emits rollups of every
/// aggregation (revisions 1 and 2, awkward breakdown values) and every
/// quota event type, for the schema checks.
enum CoreOutputSample {
    /// 2024-02-29T23:58:00Z: a leap day, two minutes before a day and month boundary.
    static let start: Int64 = 1_709_251_080_000

    static let meters: [MeterDefinition] = [
        MeterDefinition(slug: "api_requests", eventType: "kong.request", aggregation: .count, groupBy: ["route": "$.route.name", "status": "$.response.status"]),
        MeterDefinition(slug: "tokens", eventType: "kong.request", aggregation: .sum, valueProperty: "$.tokens", groupBy: ["model": "$.model"]),
        MeterDefinition(slug: "users", eventType: "kong.request", aggregation: .uniqueCount, valueProperty: "$.user"),
        MeterDefinition(slug: "latency_avg", eventType: "kong.request", aggregation: .avg, valueProperty: "$.latency"),
        MeterDefinition(slug: "latency_min", eventType: "kong.request", aggregation: .min, valueProperty: "$.latency"),
        MeterDefinition(slug: "latency_max", eventType: "kong.request", aggregation: .max, valueProperty: "$.latency"),
        MeterDefinition(slug: "balance", eventType: "kong.request", aggregation: .latest, valueProperty: "$.balance"),
    ]

    static var configuration: MeterdConfiguration {
        MeterdConfiguration(
            windows: WindowSettings(sizeMillis: 60_000, graceMillis: 10_000, allowedLatenessMillis: 3_600_000, idleTimeoutMillis: 5_000),
            meters: meters,
            features: [
                FeatureDefinition(key: "requests", meter: "api_requests", breakdown: ["route", "status"]),
                FeatureDefinition(key: "ok_requests", meter: "api_requests", filter: ["status": ["200"]]),
                FeatureDefinition(key: "tokens", meter: "tokens", breakdown: ["model"]),
                FeatureDefinition(key: "users", meter: "users"),
                FeatureDefinition(key: "latency_avg", meter: "latency_avg"),
                FeatureDefinition(key: "latency_min", meter: "latency_min"),
                FeatureDefinition(key: "latency_max", meter: "latency_max"),
                FeatureDefinition(key: "balance", meter: "balance"),
            ],
            plans: ["free": Plan(name: "free", rules: [
                "ok_requests": QuotaRule(limit: 2, period: .day, thresholds: [50, 100, 150], hard: true),
                "tokens": QuotaRule(limit: 1_000.5, period: .month, thresholds: [80], hard: false),
            ])],
            customers: [CustomerDefinition(key: "acme", subjects: ["acme-web", "acme-mobile"], plan: "free")]
        )
    }

    /// One event of every meter; `route` and `model` may hold characters the rollup key escapes.
    static func event(_ id: String, at time: Int64, customer: String = "acme", subject: String = "acme-web",
                      route: String? = "chat", status: String = "200", model: String? = "gpt-4o",
                      tokens: Double = 120.25, user: String = "u1", latency: Double = 12.5, balance: Double = -3.5) -> UsageRecord {
        UsageRecord(customer: customer, subject: subject, source: "kong", id: id, eventTimeMillis: time, samples: [
            MeterSample(meterIndex: 0, value: .none, dimensions: [route, status]),
            MeterSample(meterIndex: 1, value: .number(tokens), dimensions: [model]),
            MeterSample(meterIndex: 2, value: .text(user), dimensions: []),
            MeterSample(meterIndex: 3, value: .number(latency), dimensions: []),
            MeterSample(meterIndex: 4, value: .number(latency), dimensions: []),
            MeterSample(meterIndex: 5, value: .number(latency), dimensions: []),
            MeterSample(meterIndex: 6, value: .number(balance), dimensions: []),
        ])
    }

    /// Every rollup revision and quota event of the scenario, in emission order.
    static func run() -> (rollups: [RollupRevision], quotaEvents: [QuotaEvent]) {
        var aggregator = PartitionAggregator(configuration: configuration)
        var rollups: [RollupRevision] = []
        var quotaEvents: [QuotaEvent] = []
        func ingest(_ records: [UsageRecord]) {
            for record in records {
                if case .accepted(let events) = aggregator.ingest(record) { quotaEvents += events }
            }
            rollups += aggregator.flush()
        }
        // Window 23:58: three ok requests cross 50 %, 100 % and 150 % of the day's limit of 2.
        ingest([
            event("r1", at: start + 1_000, tokens: 0.1, user: "u1", latency: 1),
            event("r2", at: start + 2_000, subject: "acme-mobile", route: "a/b=c%d", model: "claude \"3\"/é", tokens: 0.2, user: "u2", latency: 2),
            event("r3", at: start + 3_000, route: nil, status: "500", model: nil, tokens: 900, user: "u1", latency: 0.001, balance: 1e21),
            event("r4", at: start + 4_000, tokens: 1e-7, user: "u3", latency: 7),
            event("g1", at: start + 5_000, customer: "guest-1", subject: "guest-1", latency: 3),
        ])
        // Window 23:59 closes 23:58 (revision 1); a late event then revises it (revision 2).
        ingest([event("r5", at: start + 75_000, latency: 4)])
        ingest([event("r6", at: start + 6_000, user: "u4", latency: 0.5, balance: 0)])
        // The next day (and month): quota.reset, then stream time closes every window.
        ingest([event("r7", at: start + 150_000, latency: 5)])
        ingest([event("r8", at: start + 400_000, latency: 6)])
        return (rollups, quotaEvents)
    }
}
