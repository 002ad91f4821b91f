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
}

/// RFC 3339 UTC timestamps for CloudEvents: `2024-02-29T23:59:00Z`, with
/// `.SSS` only when the milliseconds are not zero.
public enum RFC3339 {
    public static func string(epochMillis: Int64) -> String {
        let t = Swift.min(Swift.max(epochMillis, -QuotaCalendar.limitMillis), QuotaCalendar.limitMillis)
        let days = TimeArithmetic.floorDivide(t, CivilDate.millisPerDay)
        let date = CivilDate(daysSinceEpoch: days)
        let millisOfDay = t - days * CivilDate.millisPerDay
        let seconds = millisOfDay / 1000
        var text = date.year < 0 ? "-" + pad(-date.year, 4) : pad(date.year, 4)
        text += "-" + pad(date.month, 2) + "-" + pad(date.day, 2)
        text += "T" + pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2)
        let millis = millisOfDay % 1000
        if millis != 0 { text += "." + pad(millis, 3) }
        return text + "Z"
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
