import Foundation
import KongTraffic

/// The naive decoder meterd is compared with: `JSONSerialization` into
/// dictionaries, then field access, producing the same totals as
/// `UsageExtractor` with `BenchmarkConfiguration.meterd`.
public enum FoundationDecoder {
    public static func add(_ bytes: [UInt8], to totals: inout UsageTotals) {
        guard let root = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
              root["request"] is [String: Any], root["started_at"] is NSNumber,
              let consumer = root["consumer"] as? [String: Any], consumer["username"] is String
        else { return }
        totals.records += 1
        let route = (root["route"] as? [String: Any])?["name"] as? String
        let status = ((root["response"] as? [String: Any])?["status"] as? NSNumber).map { "\($0.intValue)" }
        totals.requestSamples += 1
        totals.dimensionBytes += (route?.utf8.count ?? 0) + (status?.utf8.count ?? 0)
        guard let proxy = (root["ai"] as? [String: Any])?["proxy"] as? [String: Any],
              let usage = proxy["usage"] as? [String: Any] else { return }
        let meta = proxy["meta"] as? [String: Any]
        let model = meta?["response_model"] as? String
        let provider = meta?["provider_name"] as? String
        let pairBytes = (model?.utf8.count ?? 0) + (provider?.utf8.count ?? 0)
        if let prompt = usage["prompt_tokens"] as? NSNumber {
            totals.promptTokens += prompt.doubleValue
            totals.dimensionBytes += pairBytes
        }
        if let completion = usage["completion_tokens"] as? NSNumber {
            totals.completionTokens += completion.doubleValue
            totals.dimensionBytes += pairBytes
        }
        if let cost = usage["cost"] as? NSNumber {
            totals.cost += cost.doubleValue
            totals.dimensionBytes += model?.utf8.count ?? 0
        }
    }
}
