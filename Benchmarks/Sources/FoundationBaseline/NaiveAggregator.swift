import Foundation
import KongTraffic
import MeterdCore

/// The naive full baseline: what a first version written with Foundation
/// would do. Records are `JSONSerialization` dictionaries; rollups live in a
/// dictionary keyed by a string built per event
/// (`customer|feature|windowStart|dims`) with plain `Double` sums; dedupe is
/// a set of `source|id` strings per window; a closed window is emitted once
/// with `JSONSerialization` and dropped (no late revisions, no quotas).
public struct NaiveAggregator {
    private struct Rollup {
        var customer: String
        var feature: String
        var windowStart: Int64
        var breakdown: [String: String]
        var value = 0.0
        var count = 0
        var subjects: Set<String> = []
    }

    private let features: [FeatureDefinition]
    private let meters: [MeterDefinition]
    private let decoder: FoundationUsageDecoder
    private let windowMillis: Int64
    private let graceMillis: Int64
    private var rollups: [String: Rollup] = [:]
    private var seen: [Int64: Set<String>] = [:]
    private var streamTime = Int64.min
    public private(set) var emitted = 0
    public private(set) var outputBytes = 0

    public init(configuration: MeterdConfiguration) {
        features = configuration.features
        meters = configuration.meters
        decoder = FoundationUsageDecoder(configuration: configuration)
        windowMillis = configuration.windows.sizeMillis
        graceMillis = configuration.windows.graceMillis
    }

    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        guard let root = FoundationUsageDecoder.object(bytes), let usage = decoder.usage(of: root) else { return }
        let windowStart = usage.eventTimeMillis / windowMillis * windowMillis
        guard windowStart + windowMillis + graceMillis > streamTime else { return }
        guard seen[windowStart, default: []].insert("\(usage.source)|\(usage.id)").inserted else { return }
        streamTime = max(streamTime, usage.eventTimeMillis)
        for sample in usage.samples {
            let meter = meters[sample.meterIndex]
            var dimensions: [String: String] = [:]
            for (name, value) in zip(meter.dimensionNames, sample.dimensions) { dimensions[name] = value }
            for feature in features where feature.meter == meter.slug {
                guard feature.filter.allSatisfy({ name, accepted in dimensions[name].map(accepted.contains) ?? false }) else { continue }
                var breakdown: [String: String] = [:]
                for name in feature.breakdown { breakdown[name] = dimensions[name] }
                let dims = breakdown.keys.sorted().map { "\($0)=\(breakdown[$0] ?? "")" }.joined(separator: "/")
                let key = "\(usage.customer)|\(feature.key)|\(windowStart)|\(dims)"
                var rollup = rollups[key] ?? Rollup(customer: usage.customer, feature: feature.key, windowStart: windowStart, breakdown: breakdown)
                if case .number(let value) = sample.value { rollup.value += value } else { rollup.value += 1 }
                rollup.count += 1
                rollup.subjects.insert(usage.subject)
                rollups[key] = rollup
            }
        }
    }

    /// Emits and drops every closed window.
    public mutating func flush() {
        for (key, rollup) in rollups where rollup.windowStart + windowMillis + graceMillis <= streamTime {
            let object: [String: Any] = [
                "specversion": "1.0", "type": "meter.rollup", "source": "meterd", "id": key,
                "data": [
                    "customer": rollup.customer, "feature": rollup.feature, "windowStart": rollup.windowStart,
                    "value": rollup.value, "eventCount": rollup.count, "breakdown": rollup.breakdown,
                    "subjects": rollup.subjects.sorted(),
                ] as [String: Any],
            ]
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                outputBytes += data.count
            }
            emitted += 1
            rollups[key] = nil
        }
        for start in seen.keys where start + windowMillis + graceMillis <= streamTime { seen[start] = nil }
    }
}
