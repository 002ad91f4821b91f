import MeterdCore

/// The configuration of the pipeline benchmark: `BenchmarkConfiguration`'s
/// meters plus features with filters and breakdowns, quotas on two features,
/// 300 billing customers of two gateway consumers each, and the default
/// windows (1m size, 10s grace, 1h allowed lateness).
public enum PipelineConfiguration {
    public static let customerCount = 300
    /// Gateway consumers `team-0` … `team-599`; consumer `team-n` belongs to customer `n / 2`.
    public static let consumerCount = 2 * customerCount
    public static let partitionCount = 6

    public static func customerKey(_ index: Int) -> String { "customer-\(index)" }

    public static let meterd: MeterdConfiguration = {
        var configuration = BenchmarkConfiguration.meterd
        configuration.windows = WindowSettings(
            sizeMillis: 60_000, graceMillis: 10_000, allowedLatenessMillis: 3_600_000, idleTimeoutMillis: 5_000
        )
        configuration.features = [
            FeatureDefinition(key: "requests", meter: "api_requests"),
            FeatureDefinition(key: "successful_requests", meter: "api_requests",
                              filter: ["status": ["200", "201", "204"]], breakdown: ["route"]),
            FeatureDefinition(key: "prompt_tokens", meter: "llm_prompt_tokens", breakdown: ["model", "provider"]),
            FeatureDefinition(key: "gpt4o_input_tokens", meter: "llm_prompt_tokens",
                              filter: ["model": ["gpt-4o-2024-08-06"]], breakdown: ["model"]),
            FeatureDefinition(key: "completion_tokens", meter: "llm_completion_tokens", breakdown: ["model"]),
            FeatureDefinition(key: "llm_cost", meter: "llm_cost", breakdown: ["model"]),
        ]
        configuration.plans = [
            "standard": Plan(name: "standard", rules: [
                "successful_requests": QuotaRule(limit: 2_000, period: .hour, thresholds: [50, 80, 100], hard: true),
                "prompt_tokens": QuotaRule(limit: 20_000_000, period: .day, thresholds: [80, 100]),
            ]),
        ]
        configuration.customers = (0..<customerCount).map { index in
            CustomerDefinition(
                key: customerKey(index), subjects: ["team-\(2 * index)", "team-\(2 * index + 1)"], plan: "standard",
                overrides: index % 10 == 0 ? ["successful_requests": QuotaOverride(limit: 10_000)] : [:]
            )
        }
        return configuration
    }()

    /// The repartition partition of a customer: FNV-1a 64 of its key's bytes.
    public static func partition(ofCustomer customer: String) -> Int {
        // Over the contiguous bytes: iterating `utf8` cost ~780 instructions per event (callgrind),
        // where `meterd run` routes with librdkafka's murmur2 in C.
        let hash = customer.utf8.withContiguousStorageIfAvailable(fnv1a) ?? fnv1a(Array(customer.utf8))
        return Int(hash % UInt64(partitionCount))
    }

    private static func fnv1a<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}
