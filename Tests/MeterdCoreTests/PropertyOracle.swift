import MeterdCore

/// A deliberately naive recomputation of what the aggregator must end up
/// with, from the raw configuration: no compiled features, no accumulators,
/// no calendar code of the core. Valid for positive event times, hour/day
/// quota periods, plan rules without overrides, and no too-late records.
enum PropertyOracle {
    struct Rollup: Equatable {
        var value: Double
        var eventCount: Int64
        var subjects: [String]
    }

    private struct Contribution {
        var value: SampleValue
        var time: Int64
        var id: String
        var subject: String
    }

    static func deduped(_ records: [UsageRecord]) -> [UsageRecord] {
        var seen = Set<String>()
        return records.filter { seen.insert("\($0.customer)\u{0}\($0.source)\u{0}\($0.id)").inserted }
    }

    /// (customer, feature key, matched dims in sorted-name order) per counted sample.
    private static func matches(_ record: UsageRecord, _ config: MeterdConfiguration) -> [(MeterSample, FeatureDefinition, String)] {
        var out: [(MeterSample, FeatureDefinition, String)] = []
        for sample in record.samples {
            let meter = config.meters[sample.meterIndex]
            let names = meter.groupBy.keys.sorted()
            var dims: [String: String] = [:]
            for (name, value) in zip(names, sample.dimensions) { dims[name] = value }
            for feature in config.features where feature.meter == meter.slug {
                let passes = feature.filter.allSatisfy { name, accepted in dims[name].map(accepted.contains) ?? false }
                guard passes else { continue }
                let breakdown = feature.breakdown.sorted().compactMap { name in dims[name].map { "/\(name)=\($0)" } }.joined()
                out.append((sample, feature, breakdown))
            }
        }
        return out
    }

    /// Rollups keyed by the SPEC rollup key (names here need no escaping).
    static func rollups(_ records: [UsageRecord], _ config: MeterdConfiguration) -> [String: Rollup] {
        let size = config.windows.sizeMillis
        var groups: [String: (AggregationKind, [Contribution])] = [:]
        for record in deduped(records) {
            for (sample, feature, breakdown) in matches(record, config) {
                let windowStart = record.eventTimeMillis / size * size
                let key = "\(record.customer)/\(feature.key)/\(windowStart)\(breakdown)"
                let kind = config.meters.first { $0.slug == feature.meter }?.aggregation ?? .count
                groups[key, default: (kind, [])].1.append(
                    Contribution(value: sample.value, time: record.eventTimeMillis, id: record.id, subject: record.subject))
            }
        }
        return groups.mapValues { kind, items in
            let numbers = items.map { item -> Double in if case .number(let v) = item.value { v } else { 0 } }
            let value: Double
            switch kind {
            case .count: value = Double(items.count)
            case .sum: value = numbers.reduce(0, +)
            case .avg: value = numbers.reduce(0, +) / Double(items.count)
            case .min: value = numbers.min() ?? 0
            case .max: value = numbers.max() ?? 0
            case .uniqueCount: value = Double(Set(items.map { item -> String in if case .text(let t) = item.value { t } else { "" } }).count)
            case .latest:
                let last = items.max { a, b in a.time != b.time ? a.time < b.time : Array(a.id.utf8).lexicographicallyPrecedes(Array(b.id.utf8)) }
                value = last.map { item -> Double in if case .number(let v) = item.value { v } else { 0 } } ?? 0
            }
            return Rollup(value: value, eventCount: Int64(items.count), subjects: Set(items.map(\.subject)).sorted())
        }
    }

    static func quotaIdentities(_ records: [UsageRecord], _ config: MeterdConfiguration) -> Set<PropertySupport.QuotaIdentity> {
        // (customer, feature) → period start → usage
        var usage: [String: [Int64: Double]] = [:]
        var rules: [String: QuotaRule] = [:]
        for record in deduped(records) {
            guard let plan = config.customers.first(where: { $0.key == record.customer })?.plan,
                  let planRules = config.plans[plan]?.rules else { continue }
            for (sample, feature, _) in matches(record, config) {
                guard let rule = planRules[feature.key] else { continue }
                let length: Int64 = rule.period == .hour ? 3_600_000 : 86_400_000
                let periodStart = record.eventTimeMillis / length * length
                let amount: Double = if case .number(let v) = sample.value { v } else { 1 }
                usage["\(record.customer)\u{0}\(feature.key)", default: [:]][periodStart, default: 0] += amount
                rules["\(record.customer)\u{0}\(feature.key)"] = rule
            }
        }
        var out = Set<PropertySupport.QuotaIdentity>()
        for (pair, periods) in usage {
            guard let rule = rules[pair] else { continue }
            let parts = pair.split(separator: "\u{0}").map(String.init)
            var announcing: [Int64] = []
            for (start, total) in periods {
                for threshold in rule.thresholds where total >= rule.limit * threshold / 100 {
                    out.insert(.init(kind: threshold == 100 ? "quota.exceeded" : "quota.threshold", customer: parts[0],
                                     feature: parts[1], periodStart: start, threshold: threshold))
                    announcing.append(start)
                }
            }
            guard let earliest = announcing.min() else { continue }
            for start in periods.keys where start > earliest {
                out.insert(.init(kind: "quota.reset", customer: parts[0], feature: parts[1], periodStart: start, threshold: 0))
            }
        }
        return out
    }
}
