/// The LLM price table of `prices:`: what a million input and output tokens
/// of each provider's model cost, read by cost meters.
///
/// `currency` only labels the amounts; meterd converts nothing.
public struct PriceTable: Sendable, Equatable {
    /// ISO 4217 code (or any label) of every price in the configuration.
    public var currency: String
    public var models: [ModelPrice]

    public init(currency: String = "USD", models: [ModelPrice] = []) {
        self.currency = currency
        self.models = models
    }
}

/// The price of one provider's model, or of a family of models when `model`
/// ends with `*` (`gpt-4o*` covers `gpt-4o-2024-08-06`).
public struct ModelPrice: Sendable, Equatable {
    /// Exact provider name as the gateway reports it (Kong: `provider_name`).
    public var provider: String
    /// Exact model name, or a prefix followed by `*`.
    public var model: String
    /// Price per million input (prompt) tokens.
    public var input: Double
    /// Price per million output (completion) tokens.
    public var output: Double

    public init(provider: String, model: String, input: Double, output: Double) {
        self.provider = provider
        self.model = model
        self.input = input
        self.output = output
    }

    /// True for `prefix*` entries.
    public var isWildcard: Bool { model.hasSuffix("*") }
}

/// Where a cost meter reads an event's token counts, provider and model.
/// Each defaults to the field Kong's AI proxy plugin writes, so `cost: {}`
/// prices Kong records.
public struct CostSelectors: Sendable, Equatable {
    public static let kongInputTokens = "$.ai.proxy.usage.prompt_tokens"
    public static let kongOutputTokens = "$.ai.proxy.usage.completion_tokens"
    public static let kongProvider = "$.ai.proxy.meta.provider_name"
    public static let kongModel = "$.ai.proxy.meta.response_model"

    public var inputTokens: String
    public var outputTokens: String
    public var provider: String
    public var model: String

    public init(
        inputTokens: String = CostSelectors.kongInputTokens,
        outputTokens: String = CostSelectors.kongOutputTokens,
        provider: String = CostSelectors.kongProvider,
        model: String = CostSelectors.kongModel
    ) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.provider = provider
        self.model = model
    }
}
