import Foundation

/// Reads the demo's output records (CloudEvents 1.0 JSON, SPEC section 3)
/// with Foundation: the screen refreshes once a second, so this is not a
/// hot path. Anything unexpected yields `nil`, never a crash.
///
/// Confined to one thread (its date formatters are not thread-safe).
struct DemoOutputDecoder {
    private let plainDates = ISO8601DateFormatter()
    private let fractionalDates: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()

    func rollup(key: [UInt8]?, value: [UInt8]?) -> RollupRow? {
        guard let key, let (envelope, data) = object(value), envelope["type"] as? String == "meter.rollup",
              let customer = data["customer"] as? String, let feature = data["feature"] as? String,
              let windowStart = millis(data["windowStart"]), let windowEnd = millis(data["windowEnd"]),
              let value = (data["value"] as? NSNumber)?.doubleValue
        else { return nil }
        let breakdown = (data["breakdown"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
        return RollupRow(
            key: String(decoding: key, as: UTF8.self), customer: customer, feature: feature,
            aggregation: data["aggregation"] as? String ?? "", windowStartMillis: windowStart, windowEndMillis: windowEnd,
            breakdown: breakdown, value: value, eventCount: (data["eventCount"] as? NSNumber)?.intValue ?? 0,
            revision: (data["revision"] as? NSNumber)?.intValue ?? 0
        )
    }

    func quota(value: [UInt8]?) -> QuotaNotice? {
        guard let (envelope, data) = object(value), let id = envelope["id"] as? String,
              let type = envelope["type"] as? String, type.hasPrefix("quota."),
              let customer = data["customer"] as? String, let feature = data["feature"] as? String,
              let periodStart = millis(data["periodStart"]), let periodEnd = millis(data["periodEnd"]),
              let limit = (data["limit"] as? NSNumber)?.doubleValue, let usage = (data["usage"] as? NSNumber)?.doubleValue,
              let threshold = (data["threshold"] as? NSNumber)?.doubleValue
        else { return nil }
        return QuotaNotice(
            id: id, type: type, customer: customer, feature: feature,
            periodStartMillis: periodStart, periodEndMillis: periodEnd, limit: limit, usage: usage,
            threshold: threshold, hard: data["hard"] as? Bool ?? false, timeMillis: millis(envelope["time"]) ?? periodStart
        )
    }

    private func object(_ bytes: [UInt8]?) -> (envelope: [String: Any], data: [String: Any])? {
        guard let bytes,
              let envelope = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
              let data = envelope["data"] as? [String: Any]
        else { return nil }
        return (envelope, data)
    }

    private func millis(_ value: Any?) -> Int64? {
        guard let text = value as? String,
              let date = plainDates.date(from: text) ?? fractionalDates.date(from: text)
        else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
