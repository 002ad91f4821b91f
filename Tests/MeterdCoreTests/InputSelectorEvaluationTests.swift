import MeterdCore
import Testing

@Suite struct InputSelectorEvaluationTests {
    func dimension(_ selector: String, in extra: String) -> String?? {
        let meter = MeterDefinition(slug: "m", eventType: "kong.request", aggregation: .count, groupBy: ["d": selector])
        return InputFixtures.extractor(meters: [meter])?.extract(InputFixtures.kong(extra: extra)).usage?.samples.first?.dimensions.first
    }

    @Test func dottedPath() {
        #expect(dimension("$.a.b.c", in: #""a":{"x":[{"c":1}],"b":{"c":"deep"}}"#) == "deep")
    }

    @Test func quotedNameWithSpecialCharacters() {
        #expect(dimension(#"$.h["x-api.key"]"#, in: #""h":{"x-api":{"key":"no"},"x-api.key":"yes"}"#) == "yes")
        #expect(dimension(#"$.h['single q']"#, in: #""h":{"single q":"ok"}"#) == "ok")
    }

    @Test func arrayIndex() {
        #expect(dimension("$.a[1]", in: #""a":["zero","one","two"]"#) == "one")
        #expect(dimension("$.a[1].n", in: #""a":[{"n":0},{"n":"x"}]"#) == "x")
        #expect(dimension("$.a[0][1]", in: #""a":[[1,2],[3]]"#) == "2")
        #expect(dimension("$.a[5]", in: #""a":[1]"#) == .some(nil))
        #expect(dimension("$.a[0]", in: #""a":{"0":"key not index"}"#) == .some(nil))
        #expect(dimension("$.a.b", in: #""a":[{"b":1}]"#) == .some(nil))
    }

    @Test func escapedKeysInTheRecordMatch() {
        #expect(dimension("$.caf", in: #""\u0063af":"escaped""#) == "escaped")
        #expect(dimension(#"$["é"]"#, in: #""\u00e9":"accent""#) == "accent")
    }

    @Test func lastDuplicateKeyWins() {
        #expect(dimension("$.k", in: #""k":"first","k":"second""#) == "second")
    }

    @Test func selectorThroughScalarFindsNothing() {
        #expect(dimension("$.route.name.x", in: "") == .some(nil))
    }

    @Test func manyMetersShareOneSelector() throws {
        let meters = (0..<5).map {
            MeterDefinition(slug: "m\($0)", eventType: "kong.request", aggregation: .count, groupBy: ["r": "$.route.name"])
        }
        let record = try #require(InputFixtures.extractor(meters: meters)?.extract(InputFixtures.kong()).usage)
        #expect(record.samples.map(\.dimensions) == Array(repeating: ["chat"], count: 5))
        #expect(record.samples.map(\.meterIndex) == [0, 1, 2, 3, 4])
    }
}
