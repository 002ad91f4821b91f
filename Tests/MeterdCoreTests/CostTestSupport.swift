import MeterdCore

/// Price tables, cost meters and Kong records with AI usage for the Cost* suites.
enum CostFixtures {
    static let table = PriceTable(currency: "USD", models: [
        ModelPrice(provider: "openai", model: "gpt-4o", input: 2.50, output: 10.00),
        ModelPrice(provider: "openai", model: "gpt-4o-mini", input: 0.15, output: 0.60),
        ModelPrice(provider: "openai", model: "gpt-4o*", input: 3, output: 12),
        ModelPrice(provider: "openai", model: "gpt-*", input: 5, output: 20),
        ModelPrice(provider: "anthropic", model: "claude-3-5-sonnet*", input: 3, output: 15),
    ])

    static let costMeter = MeterDefinition(
        slug: "llm_cost_usd", eventType: "kong.request", aggregation: .sum,
        groupBy: ["model": CostSelectors.kongModel], cost: CostSelectors()
    )

    static let customers = [
        // Negotiated: a cheaper gpt-4o, and an o1 family the table lacks.
        CustomerDefinition(key: "acme", subjects: ["acme-web"], prices: [
            ModelPrice(provider: "openai", model: "gpt-4o", input: 2, output: 8),
            ModelPrice(provider: "openai", model: "o1*", input: 10, output: 40),
        ]),
        // A customer wildcard covers models the table prices exactly.
        CustomerDefinition(key: "globex", subjects: ["globex-api"], prices: [
            ModelPrice(provider: "openai", model: "gpt-4o*", input: 1, output: 4),
        ]),
        CustomerDefinition(key: "initech", subjects: ["initech-portal"]),
    ]

    static func configuration(
        meters: [MeterDefinition] = [InputFixtures.apiRequests, costMeter],
        features: [FeatureDefinition] = [],
        prices: PriceTable = table
    ) -> MeterdConfiguration {
        MeterdConfiguration(meters: meters, features: features, customers: customers, prices: prices)
    }

    static func extractor(_ configuration: MeterdConfiguration = configuration()) -> UsageExtractor? {
        try? UsageExtractor(configuration: configuration)
    }

    /// A Kong record of `subject` with an `ai.proxy` block; a nil field is left out.
    static func kong(
        subject: String = "initech-portal", provider: String? = #""openai""#, model: String? = #""gpt-4o""#,
        prompt: String? = "1000", completion: String? = "500", id: String = "req-1", startedAt: Int64 = 1_700_000_000_123,
        block: String = "proxy"
    ) -> String {
        let usage = [prompt.map { #""prompt_tokens":\#($0)"# }, completion.map { #""completion_tokens":\#($0)"# }].compactMap { $0 }
        let meta = [provider.map { #""provider_name":\#($0)"# }, model.map { #""response_model":\#($0)"# }].compactMap { $0 }
        let ai = #""ai":{"\#(block)":{"usage":{\#(usage.joined(separator: ","))},"meta":{\#(meta.joined(separator: ","))}}}"#
        return InputFixtures.kong(consumer: #"{"username":"\#(subject)"}"#, startedAt: "\(startedAt)", requestID: #""\#(id)""#, extra: ai)
    }
}

extension UsageExtractor {
    /// The result and the unpriced cost meters of one record.
    func extractNotingUnpriced(_ json: String) -> (result: ExtractionResult, unpriced: [UnpricedUsage]) {
        var unpriced: [UnpricedUsage] = []
        let result = Array(json.utf8).withUnsafeBytes { extract(value: $0, headers: [], recordTimestampMillis: 42, unpriced: &unpriced) }
        return (result, unpriced)
    }
}

extension ExtractionResult {
    /// The value of the sample of meter `index`, if the record counts toward it.
    func value(ofMeter index: Int) -> Double? {
        guard case .number(let value)? = usage?.samples.first(where: { $0.meterIndex == index })?.value else { return nil }
        return value
    }
}
