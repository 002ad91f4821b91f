import MeterdCore

/// The meters the benchmarks run: request counts per route and status, LLM
/// prompt/completion tokens per model and provider, and LLM cost.
public enum BenchmarkConfiguration {
    public static let meterd = MeterdConfiguration(meters: [
        MeterDefinition(slug: "api_requests", eventType: "kong.request", aggregation: .count,
                        groupBy: ["route": "$.route.name", "status": "$.response.status"]),
        MeterDefinition(slug: "llm_prompt_tokens", eventType: "kong.request", aggregation: .sum,
                        valueProperty: "$.ai.proxy.usage.prompt_tokens",
                        groupBy: ["model": "$.ai.proxy.meta.response_model", "provider": "$.ai.proxy.meta.provider_name"]),
        MeterDefinition(slug: "llm_completion_tokens", eventType: "kong.request", aggregation: .sum,
                        valueProperty: "$.ai.proxy.usage.completion_tokens",
                        groupBy: ["model": "$.ai.proxy.meta.response_model", "provider": "$.ai.proxy.meta.provider_name"]),
        MeterDefinition(slug: "llm_cost", eventType: "kong.request", aggregation: .sum,
                        valueProperty: "$.ai.proxy.usage.cost",
                        groupBy: ["model": "$.ai.proxy.meta.response_model"]),
    ])
}

/// What a decoder computed over a batch, to check two decoders agree.
public struct UsageTotals: Equatable, CustomStringConvertible {
    public var records = 0
    public var requestSamples = 0
    public var promptTokens = 0.0
    public var completionTokens = 0.0
    public var cost = 0.0
    /// Sum of the lengths of every dimension text, so dimensions are checked too.
    public var dimensionBytes = 0

    public init() {}

    public var description: String {
        "records=\(records) requests=\(requestSamples) prompt=\(promptTokens) completion=\(completionTokens) cost=\(cost) dimBytes=\(dimensionBytes)"
    }

    public mutating func add(_ record: UsageRecord) {
        records += 1
        for sample in record.samples {
            for dimension in sample.dimensions { dimensionBytes += dimension?.utf8.count ?? 0 }
            guard case .number(let value) = sample.value else {
                requestSamples += 1
                continue
            }
            switch sample.meterIndex {
            case 1: promptTokens += value
            case 2: completionTokens += value
            default: cost += value
            }
        }
    }
}
