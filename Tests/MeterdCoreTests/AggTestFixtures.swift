import MeterdCore

/// Shared configuration and record builders for the aggregation suites.
enum AggFixtures {
    static let minute: Int64 = 60_000
    static let windows = WindowSettings(sizeMillis: 60_000, graceMillis: 10_000, allowedLatenessMillis: 120_000, idleTimeoutMillis: 5_000)

    // Meter indexes.
    static let requests = 0   // COUNT, groupBy route, status (sorted: route, status)
    static let tokens = 1     // SUM, groupBy model
    static let users = 2      // UNIQUE_COUNT
    static let latencyAvg = 3
    static let latencyMin = 4
    static let latencyMax = 5
    static let price = 6      // LATEST

    static func configuration(windows: WindowSettings = windows) -> MeterdConfiguration {
        MeterdConfiguration(
            appId: "meterd",
            windows: windows,
            meters: [
                MeterDefinition(slug: "api_requests", eventType: "kong.request", aggregation: .count,
                                groupBy: ["status": "$.response.status", "route": "$.route.name"]),
                MeterDefinition(slug: "llm_tokens", eventType: "kong.request", aggregation: .sum,
                                valueProperty: "$.tokens", groupBy: ["model": "$.model"]),
                MeterDefinition(slug: "users", eventType: "kong.request", aggregation: .uniqueCount, valueProperty: "$.user"),
                MeterDefinition(slug: "latency_avg", eventType: "kong.request", aggregation: .avg, valueProperty: "$.l"),
                MeterDefinition(slug: "latency_min", eventType: "kong.request", aggregation: .min, valueProperty: "$.l"),
                MeterDefinition(slug: "latency_max", eventType: "kong.request", aggregation: .max, valueProperty: "$.l"),
                MeterDefinition(slug: "price", eventType: "kong.request", aggregation: .latest, valueProperty: "$.p"),
            ],
            features: [
                FeatureDefinition(key: "ok_requests", meter: "api_requests", filter: ["status": ["200", "201"]]),
                FeatureDefinition(key: "requests_by_route", meter: "api_requests", breakdown: ["status", "route"]),
                FeatureDefinition(key: "tokens", meter: "llm_tokens", breakdown: ["model"]),
                FeatureDefinition(key: "gpt4o_tokens", meter: "llm_tokens", filter: ["model": ["gpt-4o"]]),
                FeatureDefinition(key: "users", meter: "users"),
                FeatureDefinition(key: "latency_avg", meter: "latency_avg"),
                FeatureDefinition(key: "latency_min", meter: "latency_min"),
                FeatureDefinition(key: "latency_max", meter: "latency_max"),
                FeatureDefinition(key: "price", meter: "price"),
            ],
            plans: [
                "free": Plan(name: "free", rules: [
                    "ok_requests": QuotaRule(limit: 10, period: .day, thresholds: [50, 80, 100, 150], hard: true),
                    "tokens": QuotaRule(limit: 1000, period: .month, thresholds: [100]),
                ]),
            ],
            customers: [
                CustomerDefinition(key: "acme", subjects: ["acme-web", "acme-mobile"], plan: "free",
                                   overrides: ["tokens": QuotaOverride(limit: 500)]),
                CustomerDefinition(key: "globex", subjects: ["globex"], plan: "free"),
            ]
        )
    }

    static func record(
        _ customer: String = "acme", id: String, at time: Int64, subject: String? = nil,
        source: String = "kong", samples: [MeterSample]
    ) -> UsageRecord {
        UsageRecord(customer: customer, subject: subject ?? customer + "-web", source: source, id: id,
                    eventTimeMillis: time, samples: samples)
    }

    /// A Kong request counted by `api_requests` (dimensions route, status).
    static func request(_ customer: String = "acme", id: String, at time: Int64, status: String? = "200",
                        route: String? = "chat", subject: String? = nil) -> UsageRecord {
        record(customer, id: id, at: time, subject: subject,
               samples: [MeterSample(meterIndex: requests, value: .none, dimensions: [route, status])])
    }

    static func tokenUse(_ customer: String = "acme", id: String, at time: Int64, tokens: Double,
                         model: String? = "gpt-4o") -> UsageRecord {
        record(customer, id: id, at: time, samples: [MeterSample(meterIndex: AggFixtures.tokens, value: .number(tokens), dimensions: [model])])
    }

    static func sample(_ meter: Int, _ value: SampleValue) -> MeterSample {
        MeterSample(meterIndex: meter, value: value, dimensions: [])
    }

    static func quotaEvents(_ result: IngestResult) -> [QuotaEvent] {
        if case .accepted(let events) = result { return events }
        return []
    }
}

extension [RollupRevision] {
    func only(feature: String) -> [RollupRevision] { filter { $0.feature == feature } }
}
