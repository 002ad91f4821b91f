import Foundation
import MeterdCore

/// What the demo's screen takes from the configuration: customers in order
/// with their plans, features in order, which features are money, and which
/// breakdown gets its own table (a `model` dimension if there is one).
struct DemoLayout: Sendable {
    struct Customer: Sendable, Equatable {
        var key: String
        var plan: String?
    }

    /// Shown in the header: "built-in" or the `--config` path.
    var configName: String
    var appId: String
    var windowSizeMillis: Int64
    var graceMillis: Int64
    var customers: [Customer]
    var features: [String]
    /// Features whose meter sums a `…cost` property: shown in dollars.
    var moneyFeatures: Set<String>
    /// The feature and dimension of the breakdown table.
    var breakdown: (feature: String, dimension: String)?
    /// What the quota table says before the first event.
    var noQuotaEventsYet: String

    init(configuration: MeterdConfiguration, configName: String) {
        self.configName = configName
        let hasQuotas = configuration.plans.values.contains { !$0.rules.isEmpty }
            || configuration.customers.contains { !$0.overrides.isEmpty }
        noQuotaEventsYet = !hasQuotas ? "none: the configuration sets no quotas"
            : configName == DemoConfiguration.builtInName ? "none yet: the free plan's limits trip within about a minute of traffic"
            : "none yet"
        appId = configuration.appId
        windowSizeMillis = configuration.windows.sizeMillis
        graceMillis = configuration.windows.graceMillis
        customers = configuration.customers.map { Customer(key: $0.key, plan: $0.plan) }
        features = configuration.features.map(\.key)
        let costMeters = Set(configuration.meters.filter { $0.cost != nil || $0.valueProperty?.lowercased().hasSuffix("cost") == true }.map(\.slug))
        moneyFeatures = Set(configuration.features.filter { costMeters.contains($0.meter) }.map(\.key))
        let withBreakdown = configuration.features.filter { !$0.breakdown.isEmpty && !costMeters.contains($0.meter) }
        if let feature = withBreakdown.first(where: { $0.breakdown.contains("model") }) {
            breakdown = (feature.key, "model")
        } else if let feature = withBreakdown.first, let dimension = feature.breakdown.first {
            breakdown = (feature.key, dimension)
        }
    }

    /// Configured customers, then any other customer that has rollups
    /// (passthrough subjects) in natural order (`team-2` before `team-10`).
    func customerRows(seen: Set<String>) -> [Customer] {
        let configured = Set(customers.map(\.key))
        let others = seen.subtracting(configured).sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        return customers + others.map { Customer(key: $0, plan: nil) }
    }

    /// `10s`, `1m`, `250ms`.
    static func duration(millis: Int64) -> String {
        if millis > 0, millis % 3_600_000 == 0 { return "\(millis / 3_600_000)h" }
        if millis > 0, millis % 60_000 == 0 { return "\(millis / 60_000)m" }
        if millis % 1000 == 0 { return "\(millis / 1000)s" }
        return "\(millis)ms"
    }
}
