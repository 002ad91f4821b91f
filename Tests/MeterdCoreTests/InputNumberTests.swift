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

    @Test func integersOfEightToFifteenDigitsParseExactly() {
        // The fast path reads 8 digits as one word: every digit in every position, and bytes around the digits.
        var random = SeededGenerator(seed: 0x8D16)
        for _ in 0..<20_000 {
            let length = 8 + Int(random.next() % 8)
            var digits = (0..<length).map { _ in UInt8(ascii: "0") + UInt8(random.next() % 10) }
            if digits[0] == UInt8(ascii: "0") { digits[0] = UInt8(ascii: "1") }
            let text = String(decoding: digits, as: UTF8.self)
            #expect(parse(text) == Double(text), "\(text)")
        }
        #expect(parse("1735689600000") == 1_735_689_600_000)
        #expect(parse("99999999") == 99_999_999)
        #expect(parse("10000000") == 10_000_000)
        #expect(parse("999999999999999") == 999_999_999_999_999)
    }

    @Test func eightDigitWordRefusesEveryNonDigitByte() {
        // Each position holding each byte that is not a digit (with digits elsewhere) is refused.
        let digits = Array("12345678".utf8)
        for position in 0..<8 {
            for byte in 0...255 where !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(UInt8(byte)) {
                var word = digits
                word[position] = UInt8(byte)
                let value = word.withUnsafeBytes { JSONNumber.eightDigits($0.loadUnaligned(as: UInt64.self)) }
                #expect(value == nil, "byte \(byte) at \(position)")
            }
        }
        #expect(digits.withUnsafeBytes { JSONNumber.eightDigits($0.loadUnaligned(as: UInt64.self)) } == 12_345_678)
        #expect(parse("1234567a901") == nil)
        #expect(parse("12345678.5") == 12_345_678.5)
        #expect(parse("12345678e2") == 1_234_567_800)
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
