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

    /// `value` as an integer when `string(value)` prints it as one.
    @inline(__always)
    static func plainInteger(_ value: Double) -> Int64? {
        guard value.isFinite, value.rounded(.towardZero) == value, abs(value) < plainIntegerLimit else { return nil }
        return Int64(value)
    }

    /// Appends `string(value)`'s bytes, without the `String` on the common integral path.
    static func append(_ value: Double, to bytes: inout [UInt8]) {
        if let integral = plainInteger(value) {
            appendDecimal(integral, to: &bytes)
            return
        }
        var text = string(value)
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// The most bytes `writeDecimal` writes: a sign and 19 digits.
    static let maxDecimalLength = 20

    /// Appends the decimal digits of `value` (as `String(value)`).
    static func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxDecimalLength) { buffer in
            guard let base = buffer.baseAddress else { return }
            bytes.append(contentsOf: UnsafeBufferPointer(start: base, count: writeDecimal(value, to: base)))
        }
    }

    /// Writes the decimal digits of `value` (as `String(value)`) at `out`,
    /// which has room for `maxDecimalLength` bytes; returns how many.
    static func writeDecimal(_ value: Int64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var magnitude = value.magnitude
        var digitCount = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            digitCount += 1
        }
        let sign = value < 0 ? 1 : 0
        if sign == 1 { out[0] = UInt8(ascii: "-") }
        var position = sign + digitCount
        repeat {
            position -= 1
            out[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        return sign + digitCount
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
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxLength) { buffer in
            guard let base = buffer.baseAddress else { return }
            bytes.append(contentsOf: UnsafeBufferPointer(start: base, count: write(epochMillis: epochMillis, to: base)))
        }
    }

    /// The most bytes `write` writes: a sign, a year of up to 19 digits and the rest.
    static let maxLength = 44

    /// Writes the timestamp at `out`, which has room for `maxLength` bytes;
    /// returns how many.
    static func write(epochMillis: Int64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let t = Swift.min(Swift.max(epochMillis, -QuotaCalendar.limitMillis), QuotaCalendar.limitMillis)
        let days = TimeArithmetic.floorDivide(t, CivilDate.millisPerDay)
        let date = CivilDate(daysSinceEpoch: days)
        let millisOfDay = t - days * CivilDate.millisPerDay
        let seconds = millisOfDay / 1000
        var position = 0
        if date.year < 0 {
            out[0] = UInt8(ascii: "-")
            position = 1
        }
        position += writePadded(abs(date.year), 4, to: out + position)
        out[position] = UInt8(ascii: "-")
        writeTwoDigits(date.month, to: out + position + 1)
        out[position + 3] = UInt8(ascii: "-")
        writeTwoDigits(date.day, to: out + position + 4)
        out[position + 6] = UInt8(ascii: "T")
        writeTwoDigits(seconds / 3600, to: out + position + 7)
        out[position + 9] = UInt8(ascii: ":")
        writeTwoDigits(seconds / 60 % 60, to: out + position + 10)
        out[position + 12] = UInt8(ascii: ":")
        writeTwoDigits(seconds % 60, to: out + position + 13)
        position += 15
        let millis = millisOfDay % 1000
        if millis != 0 {
            out[position] = UInt8(ascii: ".")
            position += 1 + writePadded(millis, 3, to: out + position + 1)
        }
        out[position] = UInt8(ascii: "Z")
        return position + 1
    }

    /// Two decimal digits of `value` (0–99).
    @inline(__always)
    private static func writeTwoDigits(_ value: Int64, to out: UnsafeMutablePointer<UInt8>) {
        out[0] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value / 10)
        out[1] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10)
    }

    /// Decimal digits of a non-negative `value` (at most 19 digits), zero-padded to `width`.
    private static func writePadded(_ value: Int64, _ width: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var digits = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        let length = Swift.max(digits, width)
        var rest = value
        for position in stride(from: length - 1, through: 0, by: -1) {
            out[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        }
        return length
    }
}
