import MeterdCore
import Testing

@Suite struct InputMeterValueTests {
    static func meter(_ aggregation: AggregationKind, allowNegative: Bool = false) -> MeterDefinition {
        MeterDefinition(slug: "m", eventType: "kong.request", aggregation: aggregation,
                        valueProperty: "$.v", groupBy: ["d": "$.d"], allowNegative: allowNegative)
    }

    func sample(_ aggregation: AggregationKind, value: String, allowNegative: Bool = false) -> ExtractionResult? {
        let extractor = InputFixtures.extractor(meters: [Self.meter(aggregation, allowNegative: allowNegative)])
        return extractor?.extract(InputFixtures.kong(extra: #""v":\#(value)"#))
    }

    @Test(arguments: [("12", 12.0), ("1.5", 1.5), (#""42""#, 42), (#""0.25""#, 0.25), ("0", 0), ("-0", 0), ("1e3", 1000),
                      (#""1E-2""#, 0.01), (#""\u0033""#, 3)])
    func numbersAndNumericStringsAreValues(json: String, expected: Double) {
        #expect(sample(.sum, value: json)?.usage?.samples.first?.value == .number(expected))
    }

    @Test(arguments: [#"" 1""#, #""+1""#, #""1 ""#, #""0x10""#, #""NaN""#, #""Infinity""#, #""""#, #""01""#, #""1.""#,
                      "true", "{}", "[1]", "1e999", "-1e999", #""1e999""#])
    func unusableValuesRejectTheRecord(json: String) {
        #expect(sample(.sum, value: json)?.rejectReason == .invalidValue)
    }

    @Test func negativeSumNeedsAllowNegative() {
        #expect(sample(.sum, value: "-3")?.rejectReason == .invalidValue)
        #expect(sample(.sum, value: #""-3""#)?.rejectReason == .invalidValue)
        #expect(sample(.sum, value: "-3", allowNegative: true)?.usage?.samples.first?.value == .number(-3))
        #expect(sample(.max, value: "-3")?.usage?.samples.first?.value == .number(-3))
    }

    @Test func missingOrNullValueSkipsTheMeterWithoutError() {
        #expect(sample(.sum, value: "null")?.usage?.samples == [])
        let extractor = InputFixtures.extractor(meters: [Self.meter(.avg)])
        #expect(extractor?.extract(InputFixtures.kong()).usage?.samples == [])
    }

    @Test func oneBadMeterRejectsTheWholeRecord() {
        let extractor = InputFixtures.extractor(meters: [InputFixtures.apiRequests, Self.meter(.sum)])
        #expect(extractor?.extract(InputFixtures.kong(extra: #""v":"abc""#)).rejectReason == .invalidValue)
    }

    @Test(arguments: [(#""u-1""#, "u-1"), ("200", "200"), ("1.50", "1.5"), ("2e0", "2"), (#""2e0""#, "2e0")])
    func uniqueCountStringifiesLikeGroupBy(json: String, expected: String) {
        #expect(sample(.uniqueCount, value: json)?.usage?.samples.first?.value == .text(expected))
    }

    @Test(arguments: ["true", "{}", "[]", "1e400"])
    func uniqueCountRejectsOtherKinds(json: String) {
        #expect(sample(.uniqueCount, value: json)?.rejectReason == .invalidValue)
    }

    @Test func countIgnoresValueProperty() {
        #expect(sample(.count, value: #""not a number""#)?.usage?.samples.first?.value == SampleValue.none)
    }

    @Test(arguments: [(#""x""#, "x" as String?), ("200", "200"), ("1.5", "1.5"), ("-0", "0"), ("1e21", "1e+21"),
                      ("true", "true"), ("false", "false"), ("null", nil), ("{}", nil), ("[1]", nil), (#""é\n""#, "é\n")])
    func dimensionsBecomeStrings(json: String, expected: String?) {
        let extractor = InputFixtures.extractor(meters: [InputFixtures.apiRequests, Self.meter(.count)])
        let samples = extractor?.extract(InputFixtures.kong(extra: #""d":\#(json)"#)).usage?.samples
        #expect(samples?.last?.dimensions == [expected])
    }

    @Test func overflowingDimensionIsInvalidValue() {
        let extractor = InputFixtures.extractor(meters: [Self.meter(.count)])
        #expect(extractor?.extract(InputFixtures.kong(extra: #""d":1e400"#)).rejectReason == .invalidValue)
    }

    @Test func dimensionsFollowSortedNames() throws {
        let meter = MeterDefinition(slug: "m", eventType: "kong.request", aggregation: .count,
                                    groupBy: ["zeta": "$.route.id", "alpha": "$.route.name", "mid": "$.none"])
        let extractor = InputFixtures.extractor(meters: [meter])
        #expect(extractor?.extract(InputFixtures.kong()).usage?.samples.first?.dimensions == ["chat", nil, "r-1"])
    }

    @Test func badConfigurationIsReported() {
        #expect(throws: UsageExtractor.ConfigurationError.self) {
            try UsageExtractor(configuration: MeterdConfiguration(meters: [
                MeterDefinition(slug: "s", eventType: "t", aggregation: .sum),
            ]))
        }
        #expect(throws: UsageExtractor.ConfigurationError.self) {
            try UsageExtractor(configuration: MeterdConfiguration(meters: [
                MeterDefinition(slug: "s", eventType: "t", aggregation: .count, groupBy: ["x": "a.b"]),
            ]))
        }
    }
}
