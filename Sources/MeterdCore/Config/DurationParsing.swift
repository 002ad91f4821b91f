/// Parses the durations of the configuration (`500ms`, `10s`, `1m`, `1h`,
/// `1d`, and sums of them such as `1h30m`) into whole milliseconds.
///
/// Units are required: a bare number other than `0` is ambiguous (Kafka
/// properties count milliseconds, most tools seconds), so it is refused with
/// a hint rather than guessed. A leading `-` is accepted so that the semantic
/// checks can say "must be ≥ 0" at the right place.
public enum DurationParsing {
    /// Why a duration string could not be parsed.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public let hint: String?
        public var description: String { message }

        public init(message: String, hint: String?) {
            self.message = message
            self.hint = hint
        }
    }

    /// The units accepted, with their size in milliseconds.
    public static let units: [(name: String, millis: Int64)] = [
        ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    /// `text` as milliseconds.
    /// - Throws: `SyntaxError` for a missing or unknown unit, a fraction that
    ///   is not a whole number of milliseconds, or an overflow.
    public static func millis(_ text: String) throws(SyntaxError) -> Int64 {
        var chars = Substring(text).utf8[...]
        var negative = false
        if chars.first == UInt8(ascii: "-") {
            negative = true
            chars = chars.dropFirst()
        }
        guard !chars.isEmpty else { throw invalid(text) }
        if chars.elementsEqual("0".utf8) { return 0 }
        var total: Int64 = 0
        while !chars.isEmpty {
            let number = chars.prefix { isDigit($0) || $0 == UInt8(ascii: ".") }
            chars = chars.dropFirst(number.count)
            let unit = chars.prefix { !isDigit($0) && $0 != UInt8(ascii: ".") }
            chars = chars.dropFirst(unit.count)
            guard !number.isEmpty else { throw invalid(text) }
            guard !unit.isEmpty else {
                throw SyntaxError(
                    message: "duration '\(text)' has no unit",
                    hint: "write e.g. '\(String(decoding: number, as: UTF8.self))ms' or '\(String(decoding: number, as: UTF8.self))s'"
                )
            }
            let unitName = String(decoding: unit, as: UTF8.self)
            guard let unitMillis = units.first(where: { $0.name == unitName })?.millis else {
                throw SyntaxError(message: "unknown duration unit '\(unitName)' in '\(text)'", hint: "units are ms, s, m, h, d")
            }
            let part = try scaled(number, by: unitMillis, text: text)
            let (sum, overflow) = total.addingReportingOverflow(part)
            guard !overflow else { throw tooLarge(text) }
            total = sum
        }
        return negative ? -total : total
    }

    /// `millis` written with the largest unit that divides it (`60000` → `1m`).
    public static func format(millis: Int64) -> String {
        if millis == 0 { return "0s" }
        for unit in units.reversed() where millis % unit.millis == 0 {
            return "\(millis / unit.millis)\(unit.name)"
        }
        return "\(millis)ms"
    }

    /// `digits[.fraction] × unitMillis`, exact or refused.
    private static func scaled(_ number: Substring.UTF8View.SubSequence, by unitMillis: Int64, text: String) throws(SyntaxError) -> Int64 {
        let parts = number.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty, !parts[0].contains(UInt8(ascii: ".")) else { throw invalid(text) }
        let whole = try integer(parts[0], text: text)
        var (result, overflow) = whole.multipliedReportingOverflow(by: unitMillis)
        guard !overflow else { throw tooLarge(text) }
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, !fraction.contains(UInt8(ascii: ".")), fraction.count <= 9 else { throw invalid(text) }
            var denominator: Int64 = 1
            for _ in 0..<fraction.count { denominator *= 10 }
            let numerator = try integer(fraction, text: text) * unitMillis
            guard numerator % denominator == 0 else {
                throw SyntaxError(message: "duration '\(text)' is not a whole number of milliseconds", hint: nil)
            }
            (result, overflow) = result.addingReportingOverflow(numerator / denominator)
            guard !overflow else { throw tooLarge(text) }
        }
        return result
    }

    private static func integer(_ digits: Substring.UTF8View.SubSequence, text: String) throws(SyntaxError) -> Int64 {
        var value: Int64 = 0
        for digit in digits {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw tooLarge(text) }
            value = sum
        }
        return value
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private static func invalid(_ text: String) -> SyntaxError {
        SyntaxError(message: "'\(text)' is not a duration", hint: "write a number and a unit, e.g. 500ms, 10s, 1m, 1h, 1d or 1h30m")
    }

    private static func tooLarge(_ text: String) -> SyntaxError {
        SyntaxError(message: "duration '\(text)' is too large", hint: nil)
    }
}
