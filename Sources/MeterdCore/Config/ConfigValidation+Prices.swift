/// Checks of the LLM price table, customers' negotiated prices and cost meters.
extension ConfigChecker {
    mutating func checkPrices() {
        let path = ConfigPath.root.key("prices")
        if config.prices.currency.allSatisfy(\.isWhitespace) {
            report(path.key("currency"), "currency is empty", hint: "an ISO 4217 code such as USD or EUR")
        }
        checkPriceEntries(config.prices.models, at: path.key("models"))
        for (i, customer) in config.customers.enumerated() {
            checkPriceEntries(customer.prices, at: ConfigPath.root.key("customers").index(i).key("prices"))
        }
        let anyPrice = !config.prices.models.isEmpty || config.customers.contains { !$0.prices.isEmpty }
        for (i, meter) in config.meters.enumerated() where meter.cost != nil && !anyPrice {
            report(ConfigPath.root.key("meters").index(i).key("cost"), "cost meter '\(meter.slug)' but no prices are defined",
                   hint: "add prices.models, e.g. - { provider: openai, model: gpt-4o, input: 2.50, output: 10.00 }")
        }
    }

    /// One table's entries: names, prices, and no (provider, model) twice.
    /// A customer's entry need not exist in the main table: it is a price of its own.
    mutating func checkPriceEntries(_ entries: [ModelPrice], at path: ConfigPath) {
        var firstIndex: [[String]: Int] = [:]
        for (i, entry) in entries.enumerated() {
            let at = path.index(i)
            if entry.provider.isEmpty {
                report(at.key("provider"), "a price needs a provider", hint: "the provider name the gateway reports, e.g. openai")
            } else if entry.provider.contains("*") {
                report(at.key("provider"), "a provider is matched exactly: '*' is not allowed", hint: "list the prices of each provider")
            }
            if entry.model.isEmpty {
                report(at.key("model"), "a price needs a model", hint: "e.g. gpt-4o, or gpt-4o* for every model starting with gpt-4o")
            } else if entry.model.dropLast().contains("*") {
                report(at.key("model"), "'*' is allowed only at the end of a model name",
                       hint: "gpt-4o* matches every model starting with gpt-4o")
            }
            for (name, price) in [("input", entry.input), ("output", entry.output)] where !price.isFinite || price < 0 {
                report(at.key(name), "a price must be a finite number ≥ 0", hint: "the price per million \(name) tokens, e.g. 2.50")
            }
            guard !entry.provider.isEmpty, !entry.model.isEmpty else { continue }
            if let first = firstIndex[[entry.provider, entry.model]] {
                report(at.key("model"), "duplicate price for \(entry.provider) model '\(entry.model)'", hint: "first defined at \(path.index(first))")
            } else {
                firstIndex[[entry.provider, entry.model]] = i
            }
        }
    }

    /// A cost meter computes a SUM of money from its selectors.
    mutating func checkCostMeter(_ meter: MeterDefinition, _ cost: CostSelectors, at path: ConfigPath) {
        if meter.valueProperty != nil {
            report(path.key("valueProperty"), "a cost meter computes its value from the price table and takes no valueProperty",
                   hint: "remove valueProperty, or remove cost to read a value")
        }
        if meter.aggregation != .sum {
            report(path.key("aggregation"), "a cost meter must aggregate with SUM, not \(meter.aggregation.rawValue)", hint: "aggregation: SUM")
        }
        if meter.allowNegative {
            report(path.key("allowNegative"), "a cost is never negative: allowNegative does not apply to a cost meter",
                   hint: "remove allowNegative")
        }
        let selectors = [
            ("inputTokens", cost.inputTokens), ("outputTokens", cost.outputTokens), ("provider", cost.provider), ("model", cost.model),
        ]
        for (name, selector) in selectors {
            checkSelector(selector, at: path.key("cost").key(name))
        }
    }
}
