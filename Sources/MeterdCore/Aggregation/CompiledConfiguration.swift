/// The configuration compiled once for the aggregation hot path: features
/// per meter, window arithmetic, and each configured customer's quota rules.
///
/// A class, immutable: the aggregator lends it down the hot path by
/// reference. As a struct stored in the aggregator it was copied (312
/// bytes) on every ingest, to be read while the aggregator's state mutated.
public final class CompiledConfiguration: Sendable {
    public let configuration: MeterdConfiguration
    public let windows: TumblingWindows
    public let features: [CompiledFeature]
    /// Meter index → indexes of the features reading it.
    public let featuresByMeter: [[Int]]
    /// `featuresByMeter` flattened for the hot path: meter `m`'s features are
    /// `meterFeatures[meterFeatureStarts[m] ..< meterFeatureStarts[m + 1]]`,
    /// read through one buffer (a row of `featuresByMeter` is an array
    /// retained and released per sample).
    let meterFeatures: [Int]
    let meterFeatureStarts: [Int]
    /// Each feature's `breakdownIndexes`, flattened likewise: feature `f`'s are
    /// `breakdownPositions[breakdownStarts[f] ..< breakdownStarts[f + 1]]`.
    let breakdownPositions: [Int?]
    let breakdownStarts: [Int]
    public let featureIndexByKey: [String: Int]
    /// What `validate` checks of each meter, by meter index: reading a
    /// `MeterDefinition` from the array copied it (a retain and release of
    /// each of its strings and dictionaries) per sample.
    let meterChecks: [MeterCheck]
    /// Customer key → feature index → rule. Passthrough customers have none.
    private let quotaRulesByCustomer: [String: [Int: CompiledQuotaRule]]

    public init(_ configuration: MeterdConfiguration) {
        self.configuration = configuration
        windows = TumblingWindows(configuration.windows)
        var meterIndexBySlug: [String: Int] = [:]
        for (index, meter) in configuration.meters.enumerated() where meterIndexBySlug[meter.slug] == nil {
            meterIndexBySlug[meter.slug] = index
        }
        var features: [CompiledFeature] = []
        var byMeter = Array(repeating: [Int](), count: configuration.meters.count)
        var byKey: [String: Int] = [:]
        for definition in configuration.features where byKey[definition.key] == nil {
            guard let meterIndex = meterIndexBySlug[definition.meter] else { continue }
            let feature = CompiledFeature(
                index: features.count, definition: definition,
                meterIndex: meterIndex, meter: configuration.meters[meterIndex]
            )
            byKey[definition.key] = feature.index
            byMeter[meterIndex].append(feature.index)
            features.append(feature)
        }
        self.features = features
        featuresByMeter = byMeter
        meterFeatures = byMeter.flatMap { $0 }
        var starts = [0]
        for row in byMeter { starts.append((starts.last ?? 0) + row.count) }
        meterFeatureStarts = starts
        breakdownPositions = features.flatMap(\.breakdownIndexes)
        var breakdownStarts = [0]
        for feature in features { breakdownStarts.append((breakdownStarts.last ?? 0) + feature.breakdownIndexes.count) }
        self.breakdownStarts = breakdownStarts
        featureIndexByKey = byKey
        meterChecks = configuration.meters.map {
            MeterCheck(aggregation: $0.aggregation, dimensionCount: $0.groupBy.count, allowNegative: $0.allowNegative)
        }
        quotaRulesByCustomer = Self.compileQuotaRules(configuration, features: features, featureIndexByKey: byKey)
    }

    /// The quota rules of `customer` by feature index (empty for passthrough customers).
    public func quotaRules(forCustomer customer: String) -> [Int: CompiledQuotaRule] {
        quotaRulesByCustomer[customer] ?? [:]
    }

    /// The largest magnitude a summed value (SUM, AVG) may have: sums of
    /// values up to 1e300 stay finite for more events than any window or
    /// quota period can hold, so a rollup value is always a JSON number.
    public static let maxSummedMagnitude = 1e300

    /// Checks a record against the meters before anything is applied, so a
    /// record is either fully accounted or rejected (`invalid_value`).
    public func validate(_ record: UsageRecord) -> RejectReason? {
        meterChecks.withUnsafeBufferPointer { meters in record.samples.withUnsafeBufferPointer { validate($0, meters) } }
    }

    private func validate(_ samples: UnsafeBufferPointer<MeterSample>, _ meters: UnsafeBufferPointer<MeterCheck>) -> RejectReason? {
        for position in samples.indices {
            let meterIndex = samples[position].meterIndex
            guard meterIndex >= 0, meterIndex < meters.count else { return .invalidValue }
            let meter = meters[meterIndex]
            guard samples[position].dimensions.count == meter.dimensionCount else { return .invalidValue }
            for earlier in 0..<position where samples[earlier].meterIndex == meterIndex {
                return .invalidValue
            }
            switch (meter.aggregation, samples[position].value) {
            case (.count, _):
                continue
            case (.uniqueCount, .text):
                continue
            case (.sum, .number(let value)):
                guard value.magnitude <= Self.maxSummedMagnitude, value >= 0 || meter.allowNegative else { return .invalidValue }
            case (.avg, .number(let value)):
                guard value.magnitude <= Self.maxSummedMagnitude else { return .invalidValue }
            case (.uniqueCount, .number(let value)), (.min, .number(let value)),
                 (.max, .number(let value)), (.latest, .number(let value)):
                guard value.isFinite else { return .invalidValue }
            default:
                return .invalidValue
            }
        }
        return nil
    }

    private static func compileQuotaRules(
        _ configuration: MeterdConfiguration, features: [CompiledFeature], featureIndexByKey: [String: Int]
    ) -> [String: [Int: CompiledQuotaRule]] {
        var result: [String: [Int: CompiledQuotaRule]] = [:]
        for customer in configuration.customers where result[customer.key] == nil {
            let planRules = customer.plan.flatMap { configuration.plans[$0]?.rules } ?? [:]
            var rules: [Int: CompiledQuotaRule] = [:]
            for featureKey in Set(planRules.keys).union(customer.overrides.keys) {
                guard let featureIndex = featureIndexByKey[featureKey],
                      features[featureIndex].aggregation.supportsQuota,
                      let rule = merge(planRules[featureKey], customer.overrides[featureKey]) else { continue }
                rules[featureIndex] = CompiledQuotaRule(featureIndex: featureIndex, rule: rule)
            }
            result[customer.key] = rules
        }
        return result
    }

    /// An override without a plan rule defines a rule only when it sets both
    /// a limit and a period.
    private static func merge(_ plan: QuotaRule?, _ override: QuotaOverride?) -> QuotaRule? {
        guard let override else { return plan }
        guard let base = plan ?? override.limit.flatMap({ limit in
            override.period.map { QuotaRule(limit: limit, period: $0) }
        }) else { return nil }
        return QuotaRule(
            limit: override.limit ?? base.limit,
            period: override.period ?? base.period,
            thresholds: override.thresholds ?? base.thresholds,
            hard: override.hard ?? base.hard
        )
    }
}

/// The part of a `MeterDefinition` that `CompiledConfiguration.validate` reads.
struct MeterCheck: Sendable {
    let aggregation: AggregationKind
    let dimensionCount: Int
    let allowNegative: Bool
}
