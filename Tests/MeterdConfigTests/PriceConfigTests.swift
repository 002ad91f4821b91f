import MeterdConfig
import MeterdCore
import Testing

/// `prices`, customers' `prices` and cost meters: reading and every check, with its line.
@Suite struct PriceConfigTests {
    typealias Located = ConfigTestSupport.Located
    let line = ConfigTestSupport.line

    static let prices = """
        prices:
          currency: EUR
          models:
            - { provider: openai, model: gpt-4o, input: 2.50, output: 10 }
            - provider: openai
              model: "gpt-4o*"
              input: 3
              output: 12
        """

    static let costMeters = """
        meters:
          - slug: api_requests
            eventType: kong.request
            aggregation: COUNT
            groupBy: { route: "$.route.name", status: "$.response.status" }
          - slug: tokens
            eventType: kong.request
            aggregation: SUM
            cost: {}
            groupBy: { model: "$.ai.proxy.meta.response_model" }
        """

    func document(prices: String = PriceConfigTests.prices, meters: String = PriceConfigTests.costMeters, customers: String? = nil) -> String {
        let head = "kafka: { bootstrap: \"localhost:9092\", inputTopics: [gateway.usage] }\n" + prices
        guard let customers else { return ConfigTestSupport.document(head: head, meters: meters) }
        return ConfigTestSupport.document(head: head, meters: meters, customers: customers)
    }

    @Test func readsThePriceTableCustomerPricesAndCostMeters() throws {
        let yaml = document(customers: """
            customers:
              - key: acme
                subjects: [acme-web]
                plan: free
                prices:
                  - { provider: openai, model: gpt-4o, input: 2, output: 8 }
                  - { provider: anthropic, model: "claude-*", input: 2.5, output: 12.5 }
            """)
        let config = try ConfigLoader.load(yaml: yaml)
        #expect(config.prices == PriceTable(currency: "EUR", models: [
            ModelPrice(provider: "openai", model: "gpt-4o", input: 2.5, output: 10),
            ModelPrice(provider: "openai", model: "gpt-4o*", input: 3, output: 12),
        ]))
        #expect(config.customers.first?.prices == [
            ModelPrice(provider: "openai", model: "gpt-4o", input: 2, output: 8),
            ModelPrice(provider: "anthropic", model: "claude-*", input: 2.5, output: 12.5),
        ])
        #expect(config.meters[1].cost == CostSelectors(), "cost: {} reads Kong's AI proxy fields")
        #expect(config.meters[1].cost?.inputTokens == "$.ai.proxy.usage.prompt_tokens")
        #expect(config.meters[0].cost == nil)
    }

    @Test func costSelectorsCanBeGivenOneByOne() throws {
        let meters = Self.costMeters.replacing("cost: {}", with: """
            cost:
                  inputTokens: "$.usage.input_tokens"
                  model: "$.model"
            """)
        let cost = try #require(try ConfigLoader.load(yaml: document(meters: meters)).meters[1].cost)
        #expect(cost == CostSelectors(inputTokens: "$.usage.input_tokens", model: "$.model"))
    }

    @Test func currencyDefaultsToUSD() throws {
        let prices = "prices:\n  models: [{ provider: openai, model: gpt-4o, input: 1, output: 2 }]"
        #expect(try ConfigLoader.load(yaml: document(prices: prices)).prices.currency == "USD")
    }

    @Test func customerPricesForModelsTheTableLacksAreFine() {
        let yaml = document(customers: """
            customers:
              - key: acme
                subjects: [acme-web]
                prices: [{ provider: mistral, model: mistral-large, input: 2, output: 6 }]
            """)
        #expect(ConfigTestSupport.located(yaml) == [])
    }

    @Test func badPriceEntriesArePlacedOnTheirLines() {
        let prices = """
            prices:
              currency: ""
              models:
                - { provider: "", model: gpt-4o, input: 1, output: 1 }
                - { provider: "open*", model: gpt-4o, input: 1, output: 1 }
                - { provider: openai, model: "", input: 1, output: 1 }
                - { provider: openai, model: "gpt-*-mini", input: 1, output: 1 }
                - { provider: openai, model: gpt-4o, input: -1, output: 1 }
                - { provider: openai, model: "*", input: 0, output: 0 }
            """
        let yaml = document(prices: prices)
        #expect(ConfigTestSupport.located(yaml) == [
            Located(path: "prices.currency", line: line("currency:", yaml)),
            Located(path: "prices.models[0].provider", line: line(#"provider: """#, yaml)),
            Located(path: "prices.models[1].provider", line: line("open*", yaml)),
            Located(path: "prices.models[2].model", line: line(#"model: """#, yaml)),
            Located(path: "prices.models[3].model", line: line("gpt-*-mini", yaml)),
            Located(path: "prices.models[4].input", line: line("input: -1", yaml)),
        ])
        let messages = ConfigLoader.check(yaml: yaml).problems.map(\.message)
        #expect(messages.contains("a price must be a finite number ≥ 0"))
        #expect(messages.contains("'*' is allowed only at the end of a model name"))
    }

    @Test func nonFinitePricesAreRefused() {
        let prices = "prices:\n  models:\n    - { provider: openai, model: gpt-4o, input: .inf, output: 1 }"
        let yaml = document(prices: prices)
        let problems = ConfigLoader.check(yaml: yaml).problems
        #expect(problems.map(\.path) == ["prices.models[0].input"])
        #expect(problems.first?.line == line(".inf", yaml))
        // Built in code rather than read from YAML, the semantic check catches it.
        var config = MeterdConfiguration(features: [FeatureDefinition(key: "f", meter: "m")])
        config.meters = [MeterDefinition(slug: "m", eventType: "e", aggregation: .count)]
        config.prices.models = [ModelPrice(provider: "p", model: "m", input: .nan, output: .infinity)]
        #expect(ConfigValidation.problems(in: config).map(\.path) == ["prices.models[0].input", "prices.models[0].output"])
    }

    @Test func duplicatePricesInOneTable() {
        let prices = """
            prices:
              models:
                - { provider: openai, model: gpt-4o, input: 1, output: 1 }
                - { provider: azure, model: gpt-4o, input: 1, output: 1 }
                - { provider: openai, model: gpt-4o, input: 2, output: 2 }
            """
        let yaml = document(prices: prices, customers: """
            customers:
              - key: acme
                subjects: [acme-web]
                prices:
                  - { provider: openai, model: gpt-4o, input: 2, output: 8 }
                  - { provider: openai, model: "gpt-4o*", input: 2, output: 8 }
                  - { provider: openai, model: gpt-4o, input: 3, output: 9 }
            """)
        #expect(ConfigTestSupport.located(yaml) == [
            Located(path: "prices.models[2].model", line: line("input: 2, output: 2", yaml)),
            Located(path: "customers[0].prices[2].model", line: line("input: 3, output: 9", yaml)),
        ])
        #expect(ConfigLoader.check(yaml: yaml).problems.first?.hint == "first defined at prices.models[0]")
    }

    @Test func costMeterMistakes() {
        let meters = """
            meters:
              - slug: api_requests
                eventType: kong.request
                aggregation: COUNT
                cost: {}
                groupBy: { route: "$.route.name", status: "$.response.status" }
              - slug: tokens
                eventType: kong.request
                aggregation: SUM
                valueProperty: "$.ai.proxy.usage.total_tokens"
                allowNegative: true
                cost: { model: "$.ai..model" }
                groupBy: { model: "$.ai.proxy.meta.response_model" }
            """
        let yaml = document(meters: meters)
        #expect(ConfigTestSupport.located(yaml) == [
            Located(path: "meters[0].aggregation", line: line("aggregation: COUNT", yaml)),
            Located(path: "meters[1].valueProperty", line: line("valueProperty:", yaml)),
            Located(path: "meters[1].allowNegative", line: line("allowNegative:", yaml)),
            Located(path: "meters[1].cost.model", line: line("$.ai..model", yaml)),
        ])
    }

    @Test func aCostMeterNeedsPrices() {
        let yaml = document(prices: "")
        #expect(ConfigTestSupport.located(yaml) == [Located(path: "meters[1].cost", line: line("cost: {}", yaml))])
        #expect(ConfigLoader.check(yaml: yaml).problems.first?.message == "cost meter 'tokens' but no prices are defined")
    }

    @Test func structuralMistakesInPriceEntriesAndCost() {
        let prices = """
            prices:
              models:
                - { provider: openai, model: gpt-4o, input: 1 }
                - { provider: openai, model: gpt-4o-mini, input: "1", output: 1, cached: 0.5 }
                - gpt-4o
            """
        let meters = Self.costMeters.replacing("cost: {}", with: "cost: { inputTokenz: $.x }")
        let yaml = document(prices: prices, meters: meters)
        #expect(ConfigTestSupport.located(yaml) == [
            Located(path: "prices.models[0].output", line: line("input: 1 }", yaml)),
            Located(path: "prices.models[1].input", line: line("cached", yaml)),
            Located(path: "prices.models[1].cached", line: line("cached", yaml)),
            Located(path: "prices.models[2]", line: line("- gpt-4o", yaml)),
            Located(path: "meters[1].cost.inputTokenz", line: line("inputTokenz", yaml)),
        ])
        let hints = ConfigLoader.check(yaml: yaml).problems.map(\.hint)
        #expect(hints.contains("remove the quotes"))
        #expect(hints.contains("did you mean 'inputTokens'?"))
    }

    @Test func summaryMentionsPrices() throws {
        let yaml = document(customers: """
            customers:
              - { key: acme, subjects: [acme-web], prices: [{ provider: openai, model: o1, input: 10, output: 40 }] }
            """)
        guard case .valid(let summary) = ValidationReport.verdict(yaml: yaml, file: "t.yaml") else {
            Issue.record("expected a valid configuration")
            return
        }
        #expect(summary.contains("  prices (EUR): 2 models, negotiated prices for 1 customer\n"))
    }
}
