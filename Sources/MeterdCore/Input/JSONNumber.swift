/// Reads JSON numbers from bytes and writes them back in the canonical text
/// that groupBy dimensions and UNIQUE_COUNT values use.
enum JSONNumber {
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The value of `bytes` when they are exactly one JSON number (RFC 8259
    /// grammar: no spaces, no `+`, no leading zeros, no NaN/Infinity), else nil.
    /// Magnitudes beyond Double's range give ±infinity, for the caller to reject.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        if let value = positiveInteger(bytes) { return value }
        let n = bytes.count
        var i = 0
        var negative = false
        if i < n, bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < n, isDigit(bytes[i]) else { return nil }
        var mantissa: UInt64 = 0
        var significant = 0
        var inexact = false
        var exponent = 0
        @inline(__always) func take(_ digit: UInt64, fraction: Bool) {
            if significant < 19 {
                mantissa = mantissa &* 10 &+ digit
                if mantissa != 0 { significant += 1 }
                if fraction { exponent -= 1 }
            } else {
                if digit != 0 { inexact = true }
                if !fraction { exponent += 1 }
            }
        }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < n, isDigit(bytes[i]) {
                take(UInt64(bytes[i] &- UInt8(ascii: "0")), fraction: false)
                i += 1
            }
        }
        if i < n, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < n, isDigit(bytes[i]) else { return nil }
            while i < n, isDigit(bytes[i]) {
                take(UInt64(bytes[i] &- UInt8(ascii: "0")), fraction: true)
                i += 1
            }
        }
        if i < n, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < n, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < n, isDigit(bytes[i]) else { return nil }
            var written = 0
            while i < n, isDigit(bytes[i]) {
                if written < 100_000 { written = written * 10 + Int(bytes[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            exponent += exponentNegative ? -written : written
        }
        guard i == n else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        // Clinger's fast path: both operands exact, so one rounding gives the correctly rounded result.
        if !inexact, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            let m = Double(mantissa)
            let value = exponent >= 0 ? m * exactPowersOfTen[exponent] : m / exactPowersOfTen[-exponent]
            return negative ? -value : value
        }
        return Double(String(decoding: bytes, as: UTF8.self))
    }

    /// Epoch milliseconds and token counts: a positive integer of up to 15
    /// digits (no sign, no leading zero) is exact in a Double, so it needs
    /// none of the general parser's bookkeeping. Nil for anything else.
    @inline(__always)
    private static func positiveInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard bytes.count <= 15, let base = bytes.baseAddress, base[0] &- UInt8(ascii: "1") < 9 else { return nil }
        var value: UInt64 = 0
        var i = 0
        if bytes.count >= 8 {
            // Epoch milliseconds have 13 digits: the first 8 in one word.
            guard let eight = eightDigits(UnsafeRawPointer(base).loadUnaligned(as: UInt64.self)) else { return nil }
            value = eight
            i = 8
        }
        while i < bytes.count {
            let digit = base[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value &* 10 &+ UInt64(digit)
            i &+= 1
        }
        return Double(value)
    }

    /// The value of 8 ASCII digits loaded little-endian (the first digit in
    /// the lowest byte), or nil if any byte is not a digit. SWAR: pairs,
    /// then quads, then the whole, each step one multiply.
    @inline(__always)
    static func eightDigits(_ word: UInt64) -> UInt64? {
        let word = UInt64(littleEndian: word)
        // Each byte in 0x30...0x39: its high nibble is 3, and adding 6 keeps it 3.
        let high = word & 0xF0F0_F0F0_F0F0_F0F0
        let carried = (word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0
        guard high | (carried >> 4) == 0x3333_3333_3333_3333 else { return nil }
        var v = word & 0x0F0F_0F0F_0F0F_0F0F
        v = (v &* 2561) >> 8  // 10 * lower byte + upper byte, per pair
        v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16  // 100 * pair + next pair
        return ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32  // 10_000 * quad + next quad
    }

    /// Canonical text of a finite number: integers without `.0`, otherwise
    /// the shortest round-trip digits laid out as ECMAScript's
    /// `Number.prototype.toString` does (`1.5`, `0.000001`, `1e-7`, `1e+21`).
    static func canonicalText(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value == value.rounded(.towardZero), value.magnitude < 9_007_199_254_740_992 {
            return String(Int64(value))
        }
        // Swift's description holds the shortest round-trip digits; only their layout changes.
        let text = Array(value.magnitude.description.utf8)
        var digits: [UInt8] = []
        var fractionLength = 0
        var seenDot = false
        var exponent = 0
        var i = 0
        while i < text.count {
            let c = text[i]
            if c == UInt8(ascii: ".") {
                seenDot = true
            } else if c == UInt8(ascii: "e") {
                exponent = Int(String(decoding: text[(i + 1)...], as: UTF8.self)) ?? 0
                break
            } else {
                if !(digits.isEmpty && c == UInt8(ascii: "0")) { digits.append(c) }
                if seenDot { fractionLength += 1 }
            }
            i += 1
        }
        var trailingZeros = 0
        while digits.count > 1, digits.last == UInt8(ascii: "0") {
            digits.removeLast()
            trailingZeros += 1
        }
        let k = digits.count
        let pointPosition = k + exponent - fractionLength + trailingZeros
        var out: [UInt8] = value < 0 ? [UInt8(ascii: "-")] : []
        if k <= pointPosition && pointPosition <= 21 {
            out += digits
            out += repeatElement(UInt8(ascii: "0"), count: pointPosition - k)
        } else if 0 < pointPosition && pointPosition <= 21 {
            out += digits[..<pointPosition]
            out.append(UInt8(ascii: "."))
            out += digits[pointPosition...]
        } else if -6 < pointPosition && pointPosition <= 0 {
            out += Array("0.".utf8)
            out += repeatElement(UInt8(ascii: "0"), count: -pointPosition)
            out += digits
        } else {
            out.append(digits[0])
            if k > 1 {
                out.append(UInt8(ascii: "."))
                out += digits[1...]
            }
            let e = pointPosition - 1
            out += Array((e < 0 ? "e-" : "e+").utf8)
            out += Array(String(e.magnitude).utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Canonical text of the JSON number written as `raw`; nil when it
    /// overflows Double. Short plain integers are already canonical and are
    /// copied without parsing.
    static func canonicalText(raw: UnsafeBufferPointer<UInt8>) -> String? {
        if raw.count <= 15, isPlainInteger(raw) {
            if raw.count <= 3, raw[0] != UInt8(ascii: "-"), raw[0] != UInt8(ascii: "0") || raw.count == 1 {
                return smallIntegerTexts[Int(digitsValue(raw))]
            }
            return String(decoding: raw, as: UTF8.self)
        }
        guard let value = parse(raw), value.isFinite else { return nil }
        return canonicalText(value)
    }

    /// "0" … "999", made once: status codes and other small groupBy numbers
    /// then cost a table read instead of a `String` each.
    private static let smallIntegerTexts: [String] = (0..<1000).map { String($0) }

    /// The value of up to 3 decimal digits.
    @inline(__always)
    private static func digitsValue(_ raw: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var value: UInt32 = 0
        for b in raw { value = value &* 10 &+ UInt32(b &- UInt8(ascii: "0")) }
        return value
    }

    private static func isPlainInteger(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        if i < raw.count, raw[i] == UInt8(ascii: "-") { i += 1 }
        guard i < raw.count, !(raw[i] == UInt8(ascii: "0") && i > 0) else { return false }
        while i < raw.count {
            guard isDigit(raw[i]) else { return false }
            i += 1
        }
        return true
    }

    @inline(__always)
    private static func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }
}
