/// Number, time and duration formats of the demo's screen: integers with
/// thousands separators, fractions with few decimals, UTC clock times.
enum DemoFormat {
    /// `12,345`; negative numbers keep their sign.
    static func count<T: BinaryInteger>(_ value: T) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    /// `1 quota event`, `3 quota events`.
    static func count(_ value: Int, _ noun: String) -> String {
        count(value) + " " + noun + (value == 1 ? "" : "s")
    }

    /// A meter value: whole numbers grouped (`1,234,567`), fractions with
    /// 1, 2 or 4 decimals by size (`1234.5`, `12.34`, `0.0042`); `money`
    /// prefixes `$` and always shows cents.
    static func value(_ value: Double, money: Bool = false) -> String {
        guard value.isFinite else { return "?" }
        let sign = value < 0 ? "-" : ""
        let magnitude = abs(value)
        let body: String
        if money {
            body = "$" + fixed(magnitude, decimals: magnitude < 1 && magnitude > 0 ? 4 : 2)
        } else if magnitude == magnitude.rounded(), magnitude < 1e15 {
            body = count(Int64(magnitude))
        } else {
            body = fixed(magnitude, decimals: magnitude >= 100 ? 1 : (magnitude >= 1 ? 2 : 4))
        }
        return sign + body
    }

    /// `magnitude` (≥ 0) rounded to `decimals` places, integer part grouped.
    private static func fixed(_ magnitude: Double, decimals: Int) -> String {
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((magnitude * Double(scale)).rounded())
        let fraction = String(scaled % scale)
        return count(scaled / scale) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    /// `HH:MM:SS` of an epoch-ms instant, UTC.
    static func clock(_ epochMillis: Int64) -> String {
        let secondsOfDay = ((epochMillis / 1000) % 86_400 + 86_400) % 86_400
        return pad(secondsOfDay / 3600) + ":" + pad(secondsOfDay / 60 % 60) + ":" + pad(secondsOfDay % 60)
    }

    /// `45s`, `3m 05s`, `1h 02m 03s`.
    static func uptime(seconds: Double) -> String {
        let total = Int64(max(0, seconds))
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        if hours > 0 { return "\(hours)h \(pad(minutes))m \(pad(secs))s" }
        if minutes > 0 { return "\(minutes)m \(pad(secs))s" }
        return "\(secs)s"
    }

    /// A threshold in percent: `80%`, `12.5%`.
    static func percent(_ value: Double) -> String {
        (value == value.rounded() ? count(Int64(value)) : String(value)) + "%"
    }

    private static func pad(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
