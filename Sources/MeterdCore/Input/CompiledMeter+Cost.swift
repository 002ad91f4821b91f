/// The selectors of a cost meter, as selector numbers of the `ExtractionPlan`.
struct CompiledCost: Sendable {
    let inputTokens: Int
    let outputTokens: Int
    let provider: Int
    let model: Int
    /// The selectors as written, for messages.
    let sources: CostSelectors
}

/// What a cost meter makes of one record.
enum CostValue {
    /// The cost: the value of the record's sample.
    case sampled(Double)
    /// Neither token count is there: the event does not count toward the meter.
    case noTokens
    /// Tokens, but no price matched: the event does not count toward the meter.
    case unpriced(UnpricedUsage)
}

extension CompiledMeter {
    /// Prices the record: the sample's value = (input tokens × input price +
    /// output tokens × output price) / 1,000,000, a missing count being 0.
    /// - Parameter overrides: the record customer's own prices, if any.
    /// - Throws: `InvalidValue` when a token count is present but not a
    ///   finite number ≥ 0, or the cost overflows.
    func costValue(
        _ cost: CompiledCost, from values: SelectedValues, prices: PriceBook, overrides: CompiledPriceTable?
    ) throws(InvalidValue) -> CostValue {
        let input = try tokens(values.value(ofSelector: cost.inputTokens), values, source: cost.sources.inputTokens)
        let output = try tokens(values.value(ofSelector: cost.outputTokens), values, source: cost.sources.outputTokens)
        if input == nil, output == nil { return .noTokens }
        let providerValue = values.value(ofSelector: cost.provider)
        let modelValue = values.value(ofSelector: cost.model)
        let price = Self.withStringBytes(providerValue, values) { provider in
            Self.withStringBytes(modelValue, values) { model in
                prices.price(provider: provider, model: model, overrides: overrides)
            }
        }
        guard let price else {
            return .unpriced(UnpricedUsage(meter: slug, provider: Self.string(providerValue, values), model: Self.string(modelValue, values)))
        }
        let amount = ((input ?? 0) * price.input + (output ?? 0) * price.output) / 1_000_000
        guard amount.magnitude <= CompiledConfiguration.maxSummedMagnitude else { throw InvalidValue(detail: "meter \(slug): the cost of the tokens is out of range") }
        // -0 tokens would give -0: rollups show 0.
        return .sampled(amount == 0 ? 0 : amount)
    }

    /// A token count: nil when missing or null.
    private func tokens(_ value: ScannedValue, _ values: SelectedValues, source: String) throws(InvalidValue) -> Double? {
        if value.isMissing { return nil }
        guard let number = Self.number(value, values) else { throw InvalidValue(detail: "meter \(slug): \(source) is not a number") }
        guard number.isFinite else { throw InvalidValue(detail: "meter \(slug): \(source) is out of range") }
        guard number >= 0 else { throw InvalidValue(detail: "meter \(slug): \(source) is negative") }
        return number
    }

    /// Calls `body` with the UTF-8 of a string value (unescaped); nil for
    /// anything but a string.
    private static func withStringBytes<T>(
        _ value: ScannedValue, _ values: SelectedValues, _ body: (UnsafeBufferPointer<UInt8>) -> T?
    ) -> T? {
        guard value.kind == .string else { return nil }
        if !value.hasEscapes { return body(values.raw(value)) }
        return JSONStringDecoder.unescapedBytes(values.raw(value)).withUnsafeBufferPointer(body)
    }

    private static func string(_ value: ScannedValue, _ values: SelectedValues) -> String? {
        value.kind == .string ? values.text(value) : nil
    }
}
