/// The one number format of meterd's JSON outputs and stringified values:
/// integral doubles without a fraction (`200`), others in shortest
/// round-trip form (`1.5`, `1e-05`), so equal values give equal bytes.
public enum JSONNumberFormat {
    /// Integral values below this print as plain integers.
    static let plainIntegerLimit: Double = 1e15

    public static func string(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == 0 { return "0" }
        if value.rounded(.towardZero) == value, abs(value) < plainIntegerLimit {
            return String(Int64(value))
        }
        return value.description
    }

    /// Appends `string(value)`'s bytes, without the `String` on the common integral path.
    static func append(_ value: Double, to bytes: inout [UInt8]) {
        if value.isFinite, value.rounded(.towardZero) == value, abs(value) < plainIntegerLimit {
            appendDecimal(Int64(value), to: &bytes)
            return
        }
        var text = string(value)
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends the decimal digits of `value` (as `String(value)`).
    static func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }
}

/// RFC 3339 UTC timestamps for CloudEvents: `2024-02-29T23:59:00Z`, with
/// `.SSS` only when the milliseconds are not zero. Years outside 0–9999
/// (absurd input) keep all their digits and a leading `-` when negative.
public enum RFC3339 {
    /// Epoch milliseconds of an RFC 3339 `date-time`, or nil.
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { RFC3339Timestamp.parseMillis($0) }
    }

    public static func string(epochMillis: Int64) -> String {
        var bytes: [UInt8] = []
        append(epochMillis: epochMillis, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func append(epochMillis: Int64, to bytes: inout [UInt8]) {
        let t = Swift.min(Swift.max(epochMillis, -QuotaCalendar.limitMillis), QuotaCalendar.limitMillis)
        let days = TimeArithmetic.floorDivide(t, CivilDate.millisPerDay)
        let date = CivilDate(daysSinceEpoch: days)
        let millisOfDay = t - days * CivilDate.millisPerDay
        let seconds = millisOfDay / 1000
        if date.year < 0 { bytes.append(UInt8(ascii: "-")) }
        appendPadded(abs(date.year), 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendPadded(date.month, 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendPadded(date.day, 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendPadded(seconds / 3600, 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendPadded(seconds / 60 % 60, 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendPadded(seconds % 60, 2, to: &bytes)
        let millis = millisOfDay % 1000
        if millis != 0 {
            bytes.append(UInt8(ascii: "."))
            appendPadded(millis, 3, to: &bytes)
        }
        bytes.append(UInt8(ascii: "Z"))
    }

    /// Decimal digits of a non-negative `value` (at most 18 digits), zero-padded to `width`.
    private static func appendPadded(_ value: Int64, _ width: Int, to bytes: inout [UInt8]) {
        if width == 2, value < 100 {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value / 10))
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10))
            return
        }
        var divisor: Int64 = 1
        var digits = 1
        while digits < width || value / divisor >= 10 {
            divisor *= 10
            digits += 1
        }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
