import MeterdCore
import Testing

@Suite struct DurationParsingTests {
    @Test(arguments: [
        ("500ms", Int64(500)), ("10s", 10_000), ("1m", 60_000), ("1h", 3_600_000), ("1d", 86_400_000),
        ("0", 0), ("0s", 0), ("1h30m", 5_400_000), ("1.5s", 1_500), ("-1s", -1_000), ("90s", 90_000),
    ])
    func parses(text: String, millis: Int64) throws {
        #expect(try DurationParsing.millis(text) == millis)
    }

    @Test(arguments: ["", "10", "s", "10x", "1.0005s", "1..5s", "-", "10 s", "1m-5s", "99999999999999999999d"])
    func refuses(text: String) {
        #expect(throws: DurationParsing.SyntaxError.self) { try DurationParsing.millis(text) }
    }

    @Test func bareNumberHintSuggestsUnits() {
        #expect(throws: DurationParsing.SyntaxError(message: "duration '100' has no unit", hint: "write e.g. '100ms' or '100s'")) {
            try DurationParsing.millis("100")
        }
    }

    @Test func formatUsesTheLargestExactUnit() {
        #expect(DurationParsing.format(millis: 60_000) == "1m")
        #expect(DurationParsing.format(millis: 90_000) == "90s")
        #expect(DurationParsing.format(millis: 1_500) == "1500ms")
        #expect(DurationParsing.format(millis: 0) == "0s")
    }

    @Test func formatThenParseRoundTrips() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<1_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let millis = Int64(state >> 24)
            #expect(try DurationParsing.millis(DurationParsing.format(millis: millis)) == millis)
        }
    }
}
