import Foundation
import KongTraffic
import MeterdCore

/// The naive decoding stage meterd is compared with: `JSONSerialization`
/// into dictionaries, field access and a subject → customer dictionary,
/// producing the same `UsageRecord`s as `UsageExtractor` for Kong records
/// and `BenchmarkConfiguration.meterd`'s meters, so the same aggregation code
/// can run behind both and the difference is the decoding alone.
public struct FoundationUsageDecoder {
    private let customerBySubject: [String: String]

    public init(configuration: MeterdConfiguration) {
        var map: [String: String] = [:]
        for customer in configuration.customers {
            for subject in customer.subjects where map[subject] == nil { map[subject] = customer.key }
        }
        customerBySubject = map
    }

    /// The usage of one Kong record, nil when it is not one this decoder understands.
    public func decode(_ bytes: UnsafeRawBufferPointer) -> UsageRecord? {
        guard let root = Self.object(bytes) else { return nil }
        return usage(of: root)
    }

    /// Parses a JSON object with `JSONSerialization`.
    public static func object(_ bytes: UnsafeRawBufferPointer) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    /// The usage of a parsed Kong record (`BenchmarkConfiguration.meterd`'s meters).
    public func usage(of root: [String: Any]) -> UsageRecord? {
        guard let request = root["request"] as? [String: Any], let startedAt = root["started_at"] as? NSNumber,
              let consumer = root["consumer"] as? [String: Any], let subject = consumer["username"] as? String,
              let id = request["id"] as? String
        else { return nil }
        let route = (root["route"] as? [String: Any])?["name"] as? String
        let status = ((root["response"] as? [String: Any])?["status"] as? NSNumber).map { "\($0.intValue)" }
        var samples = [MeterSample(meterIndex: 0, value: .none, dimensions: [route, status])]
        if let proxy = (root["ai"] as? [String: Any])?["proxy"] as? [String: Any],
           let usage = proxy["usage"] as? [String: Any] {
            let meta = proxy["meta"] as? [String: Any]
            let model = meta?["response_model"] as? String
            let provider = meta?["provider_name"] as? String
            if let prompt = usage["prompt_tokens"] as? NSNumber {
                samples.append(MeterSample(meterIndex: 1, value: .number(prompt.doubleValue), dimensions: [model, provider]))
            }
            if let completion = usage["completion_tokens"] as? NSNumber {
                samples.append(MeterSample(meterIndex: 2, value: .number(completion.doubleValue), dimensions: [model, provider]))
            }
            if let cost = usage["cost"] as? NSNumber {
                samples.append(MeterSample(meterIndex: 3, value: .number(cost.doubleValue), dimensions: [model]))
            }
        }
        return UsageRecord(
            customer: customerBySubject[subject] ?? subject, subject: subject, source: "kong", id: id,
            eventTimeMillis: startedAt.int64Value, samples: samples
        )
    }
}
