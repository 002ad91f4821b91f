@testable import MeterdCore
import Testing

@Suite struct InputNumberTests {
    func parse(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { JSONNumber.parse($0) }
    }

    @Test(arguments: [("0", 0.0), ("-0", -0.0), ("123", 123), ("-45.5", -45.5), ("1e2", 100), ("1E-2", 0.01),
                      ("0.1", 0.1), ("9007199254740993", 9_007_199_254_740_992), ("123456789012345678901234567890", 1.2345678901234568e29),
                      ("2.2250738585072014e-308", 2.2250738585072014e-308), ("1e-400", 0), ("0.000001", 1e-6)])
    func parsesJSONNumbers(text: String, expected: Double) {
        #expect(parse(text) == expected)
    }

    @Test func overflowGivesInfinity() {
        #expect(parse("1e400") == .infinity)
        #expect(parse("-1e400") == -.infinity)
    }

    @Test(arguments: ["", "-", "+1", "01", "1.", ".1", "1e", "1e+", " 1", "1 ", "0x1", "NaN", "inf", "1_000"])
    func refusesNonJSONNumbers(text: String) {
        #expect(parse(text) == nil)
    }

    @Test(arguments: [(200.0, "200"), (-7, "-7"), (1.5, "1.5"), (0.1, "0.1"), (-0.0, "0"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
                      (9_007_199_254_740_992, "9007199254740992"), (1e-6, "0.000001"), (1e-7, "1e-7"), (1.5e-7, "1.5e-7"),
                      (123.456, "123.456"), (1.7976931348623157e308, "1.7976931348623157e+308"), (Double.leastNonzeroMagnitude, "5e-324"),
                      (0.000123, "0.000123"), (12345678.9, "12345678.9")])
    func canonicalTextIsECMAScriptLike(value: Double, expected: String) {
        #expect(JSONNumber.canonicalText(value) == expected)
    }

    @Test func seededRoundTripThroughTextAndParser() {
        var random = SeededGenerator(seed: 42)
        for _ in 0..<5_000 {
            let value = Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF) * (random.next() % 2 == 0 ? 1 : -1)
            let text = JSONNumber.canonicalText(value)
            #expect(parse(text) == value, "\(value) → \(text)")
            #expect(Double(text) == value)
        }
    }

    @Test func rawIntegerFastPathMatchesSlowPath() {
        for text in ["0", "-0", "5", "-123", "100000000000000", "999999999999999", "1000000000000000000"] {
            let raw = Array(text.utf8).withUnsafeBufferPointer { JSONNumber.canonicalText(raw: $0) }
            #expect(raw == parse(text).map(JSONNumber.canonicalText), "\(text)")
        }
    }
}
