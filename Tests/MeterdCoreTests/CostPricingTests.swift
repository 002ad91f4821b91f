@testable import MeterdCore
import Testing

/// Pricing an event: which price applies, and what the event is worth.
@Suite struct CostPricingTests {
    let extractor = CostFixtures.extractor()
    let cost = 1   // index of the cost meter

    func priced(_ json: String) -> Double? { extractor?.extract(json).value(ofMeter: cost) }

    @Test func valueIsTokensTimesPricePerMillion() {
        // (1000 × 2.50 + 500 × 10.00) / 1e6
        #expect(priced(CostFixtures.kong()) == 0.0075)
        #expect(priced(CostFixtures.kong(model: #""gpt-4o-mini""#, prompt: "2000000", completion: "1000000")) == 0.9)
    }

    @Test(arguments: [
        ("gpt-4o", 2.50, 10.0), ("gpt-4o-mini", 0.15, 0.60), ("gpt-4o-2024-08-06", 3, 12), ("gpt-4o-mini-2024-07-18", 3, 12),
        ("gpt-4-turbo", 5, 20), ("gpt-", 5, 20),
    ])
    func exactModelBeatsWildcardsAndTheLongestWildcardWins(model: String, input: Double, output: Double) {
        let value = priced(CostFixtures.kong(model: "\"\(model)\"", prompt: "1000000", completion: "1000000"))
        #expect(value == input + output)
    }

    @Test func customerPricesReplaceTheTablesWhereTheyMatch() {
        // acme: its own gpt-4o and o1* prices, the table's for everything else.
        #expect(priced(CostFixtures.kong(subject: "acme-web", prompt: "1000000", completion: "1000000")) == 10, "2 + 8")
        #expect(priced(CostFixtures.kong(subject: "acme-web", model: #""o1-preview""#, prompt: "1000000", completion: "0")) == 10)
        #expect(priced(CostFixtures.kong(subject: "acme-web", model: #""gpt-4o-mini""#, prompt: "1000000", completion: "0")) == 0.15)
        // Only acme has o1 prices.
        #expect(priced(CostFixtures.kong(model: #""o1-preview""#)) == nil)
        // globex's gpt-4o* wins over the table's exact gpt-4o-mini: a matching customer entry always wins.
        #expect(priced(CostFixtures.kong(subject: "globex-api", model: #""gpt-4o-mini""#, prompt: "1000000", completion: "1000000")) == 5)
        #expect(priced(CostFixtures.kong(subject: "globex-api", model: #""gpt-4-turbo""#, prompt: "1000000", completion: "0")) == 5)
    }

    @Test func overridesFollowTheResolvedCustomer() {
        // A passthrough subject is its own customer: no overrides unless it is a configured customer's key.
        #expect(priced(CostFixtures.kong(subject: "acme-mobile", prompt: "1000000", completion: "0")) == 2.5)
    }

    @Test func providerAndModelMatchExactlyAndCaseMatters() {
        #expect(priced(CostFixtures.kong(provider: #""azure""#)) == nil)
        #expect(priced(CostFixtures.kong(provider: #""OpenAI""#)) == nil)
        #expect(priced(CostFixtures.kong(model: #""GPT-4o""#)) == nil)
        let claude = priced(CostFixtures.kong(provider: #""anthropic""#, model: #""claude-3-5-sonnet-20241022""#))
        #expect(claude == 10_500 / 1e6)
    }

    @Test func escapedNamesAreUnescapedBeforeMatching() {
        #expect(priced(CostFixtures.kong(provider: #""open\u0061i""#, model: #""gpt\u002d4o""#)) == 0.0075)
    }

    @Test func theLegacyAIProxyBlockIsPricedToo() {
        #expect(priced(CostFixtures.kong(block: "ai-proxy")) == 0.0075)
    }

    @Test func aMissingCountIsZeroWhileTheOtherIsThere() {
        #expect(priced(CostFixtures.kong(completion: nil)) == 0.0025)
        #expect(priced(CostFixtures.kong(prompt: "null")) == 0.005)
        #expect(priced(CostFixtures.kong(prompt: "0", completion: "-0")) == 0)
        #expect(priced(CostFixtures.kong(prompt: "0", completion: "-0"))?.sign == .plus)
    }

    @Test func numericStringTokensCount() {
        #expect(priced(CostFixtures.kong(prompt: #""1000""#, completion: #""500""#)) == 0.0075)
    }

    @Test func zeroPricesGiveZeroCost() {
        let free = PriceTable(models: [ModelPrice(provider: "local", model: "*", input: 0, output: 0)])
        let extractor = CostFixtures.extractor(CostFixtures.configuration(prices: free))
        #expect(extractor?.extract(CostFixtures.kong(provider: #""local""#, model: #""llama3""#)).value(ofMeter: cost) == 0)
    }

    @Test func lookupWorksOnBytesWithTheLongestPrefixFirst() {
        let table = CompiledPriceTable([
            ModelPrice(provider: "p", model: "*", input: 1, output: 0),
            ModelPrice(provider: "p", model: "a*", input: 2, output: 0),
            ModelPrice(provider: "p", model: "abc*", input: 3, output: 0),
            ModelPrice(provider: "p", model: "ab", input: 4, output: 0),
            ModelPrice(provider: "p", model: "ab", input: 5, output: 0),
            ModelPrice(provider: "q", model: "zz", input: 6, output: 0),
        ])
        func input(_ provider: String, _ model: String) -> Double? {
            Array(provider.utf8).withUnsafeBufferPointer { p in
                Array(model.utf8).withUnsafeBufferPointer { m in table.price(provider: p, model: m)?.input }
            }
        }
        #expect(input("p", "") == 1)
        #expect(input("p", "x") == 1)
        #expect(input("p", "a") == 2)
        #expect(input("p", "ab") == 4, "exact, and the first of two duplicates")
        #expect(input("p", "abc") == 3)
        #expect(input("p", "abcd") == 3)
        #expect(input("q", "zz") == 6)
        #expect(input("q", "z") == nil)
        #expect(input("r", "ab") == nil)
        #expect(CompiledPriceTable([]).isEmpty)
    }
}
