import MeterdCore
import Testing

/// Cost meters in extraction and aggregation: what does not count, what is
/// rejected, and rollups that carry money.
@Suite struct CostMeterTests {
    let extractor = CostFixtures.extractor()
    let requests = 0
    let cost = 1

    @Test func unpricedEventsDoNotCountTowardTheCostMeterAndAreReported() throws {
        let extractor = try #require(extractor)
        let (result, unpriced) = extractor.extractNotingUnpriced(CostFixtures.kong(provider: #""azure""#, model: #""gpt-4o""#))
        let usage = try #require(result.usage)
        #expect(usage.samples.map(\.meterIndex) == [requests], "the rest of the record still counts")
        #expect(unpriced == [UnpricedUsage(meter: "llm_cost_usd", provider: "azure", model: "gpt-4o")])
        #expect(extractor.extractNotingUnpriced(CostFixtures.kong()).unpriced == [])
    }

    @Test func anEventWithoutProviderOrModelIsUnpriced() throws {
        let extractor = try #require(extractor)
        let noModel = extractor.extractNotingUnpriced(CostFixtures.kong(model: nil))
        #expect(noModel.unpriced == [UnpricedUsage(meter: "llm_cost_usd", provider: "openai", model: nil)])
        let numericModel = extractor.extractNotingUnpriced(CostFixtures.kong(model: "4"))
        #expect(numericModel.unpriced == [UnpricedUsage(meter: "llm_cost_usd", provider: "openai", model: nil)])
        #expect(numericModel.result.value(ofMeter: cost) == nil)
    }

    @Test func aRejectedRecordReportsNothingUnpriced() throws {
        let meters = [CostFixtures.costMeter, InputMeterValueTests.meter(.sum)]
        let extractor = try #require(CostFixtures.extractor(CostFixtures.configuration(meters: meters)))
        let json = CostFixtures.kong(provider: #""azure""#).dropLast() + #","v":"abc"}"#
        let (result, unpriced) = extractor.extractNotingUnpriced(String(json))
        #expect(result.rejectReason == .invalidValue)
        #expect(unpriced == [])
    }

    @Test func anEventWithoutTokensIsNeitherCountedNorUnpriced() throws {
        let extractor = try #require(extractor)
        for json in [InputFixtures.kong(), CostFixtures.kong(prompt: nil, completion: "null")] {
            let (result, unpriced) = extractor.extractNotingUnpriced(json)
            #expect(result.usage?.samples.map(\.meterIndex) == [requests])
            #expect(unpriced == [])
        }
    }

    @Test(arguments: ["-1", #""abc""#, "true", "{}", "[1]", "1e999", #""1e999""#, #"" 5""#])
    func unusableTokenCountsRejectTheRecord(json: String) {
        #expect(extractor?.extract(CostFixtures.kong(prompt: json)).rejectReason == .invalidValue)
        #expect(extractor?.extract(CostFixtures.kong(completion: json)).rejectReason == .invalidValue)
        // Even when no price would match: bad input is bad input.
        #expect(extractor?.extract(CostFixtures.kong(provider: #""azure""#, prompt: json)).rejectReason == .invalidValue)
    }

    @Test func aCostTooLargeForADoubleRejectsTheRecord() {
        let huge = PriceTable(models: [ModelPrice(provider: "openai", model: "gpt-4o", input: 1e300, output: 0)])
        let extractor = CostFixtures.extractor(CostFixtures.configuration(prices: huge))
        #expect(extractor?.extract(CostFixtures.kong(prompt: "1e300")).rejectReason == .invalidValue)
    }

    @Test func costMetersKeepTheirGroupBy() {
        let sample = extractor?.extract(CostFixtures.kong()).usage?.samples.first { $0.meterIndex == cost }
        #expect(sample?.dimensions == ["gpt-4o"])
    }

    @Test func customSelectorsPriceCloudEvents() {
        let meter = MeterDefinition(
            slug: "spend", eventType: "llm.completion", aggregation: .sum,
            cost: CostSelectors(inputTokens: "$.tokens.in", outputTokens: "$.tokens.out", provider: "$.vendor", model: "$.model")
        )
        let extractor = CostFixtures.extractor(CostFixtures.configuration(meters: [meter]))
        let event = #"{"specversion":"1.0","id":"e-1","source":"app","type":"llm.completion","subject":"acme-web","#
            + #""time":"2024-01-01T00:00:00Z","data":{"vendor":"openai","model":"gpt-4o","tokens":{"in":1000000,"out":1000000}}}"#
        #expect(extractor?.extract(event).value(ofMeter: 0) == 10, "acme's negotiated 2 + 8")
    }

    @Test func costMustBeASumMeter() {
        var meter = CostFixtures.costMeter
        meter.aggregation = .max
        #expect(throws: UsageExtractor.ConfigurationError.self) {
            try UsageExtractor(configuration: CostFixtures.configuration(meters: [meter]))
        }
    }

    @Test func rollupsCarryTheExactSumOfCostsWhateverTheOrder() throws {
        let config = CostFixtures.configuration(features: [FeatureDefinition(key: "llm_spend", meter: "llm_cost_usd", breakdown: ["model"])])
        let extractor = try UsageExtractor(configuration: config)
        let start: Int64 = 1_700_000_040_000   // a minute boundary
        let tokens = [(1, 3), (333, 77), (1_000_001, 7), (12_345, 54_321), (9, 999_999), (250, 0)]
        var records: [UsageRecord] = []
        for (i, (prompt, completion)) in tokens.enumerated() {
            let json = CostFixtures.kong(model: i.isMultiple(of: 2) ? #""gpt-4o""# : #""gpt-4o-mini""#,
                                         prompt: "\(prompt)", completion: "\(completion)", id: "r\(i)", startedAt: start + Int64(i))
            records.append(try #require(extractor.extract(json).usage))
        }
        let closer = try #require(extractor.extract(CostFixtures.kong(id: "late", startedAt: start + 180_000)).usage)

        func rollups(_ order: [UsageRecord]) -> [String: Double] {
            var aggregator = PartitionAggregator(configuration: config)
            for record in order + [closer] { _ = aggregator.ingest(record) }
            let emitted = aggregator.flush().filter { $0.windowStartMillis == start }
            return Dictionary(emitted.map { ($0.breakdown.first?.value ?? "", $0.value) }, uniquingKeysWith: +)
        }
        let forward = rollups(records)
        #expect(forward == rollups(records.reversed()))
        #expect(forward == rollups(records.sorted { $0.id.hashValue < $1.id.hashValue }))

        var gpt4o = ExactSum()
        var mini = ExactSum()
        for (i, (prompt, completion)) in tokens.enumerated() {
            if i.isMultiple(of: 2) {
                gpt4o.add((Double(prompt) * 2.5 + Double(completion) * 10) / 1e6)
            } else {
                mini.add((Double(prompt) * 0.15 + Double(completion) * 0.6) / 1e6)
            }
        }
        #expect(forward == ["gpt-4o": gpt4o.value, "gpt-4o-mini": mini.value])
    }
}
