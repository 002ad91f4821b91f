import MeterdCore
import Yams

/// Reading `plans` and `customers` with their quota rules and overrides.
extension YAMLNodeReader {
    static let ruleKeys = ["limit", "period", "thresholds", "hard"]

    mutating func plans(_ node: Node, at path: ConfigPath) -> [String: Plan] {
        guard let names = fields(node, at: path, known: nil) else { return [:] }
        var plans: [String: Plan] = [:]
        for name in names.order {
            guard let planNode = names[name], let features = fields(planNode, at: path.key(name), known: nil) else { continue }
            var rules: [String: QuotaRule] = [:]
            for featureKey in features.order {
                guard let ruleNode = features[featureKey],
                      let ruleFields = fields(ruleNode, at: path.key(name).key(featureKey), known: Self.ruleKeys)
                else { continue }
                // Stand-ins for unreadable required values; their problems are reported.
                rules[featureKey] = QuotaRule(
                    limit: number(ruleFields, "limit", required: true) ?? 1,
                    period: choice(ruleFields, "period", among: QuotaPeriod.allCases, required: true) ?? .month,
                    thresholds: thresholds(ruleFields) ?? [100],
                    hard: bool(ruleFields, "hard") ?? false
                )
            }
            plans[name] = Plan(name: name, rules: rules)
        }
        return plans
    }

    mutating func customers(_ node: Node, at path: ConfigPath) -> [CustomerDefinition] {
        guard let items = items(node, at: path) else { return [] }
        return items.map { itemPath, item in customer(item, at: itemPath) ?? CustomerDefinition(key: "", subjects: []) }
    }

    private mutating func customer(_ node: Node, at path: ConfigPath) -> CustomerDefinition? {
        guard let fields = fields(node, at: path, known: ["key", "subjects", "plan", "overrides", "prices"]) else { return nil }
        var overrides: [String: QuotaOverride] = [:]
        if let overridesNode = fields["overrides"], let features = self.fields(overridesNode, at: path.key("overrides"), known: nil) {
            for featureKey in features.order {
                guard let overrideNode = features[featureKey],
                      let rule = self.fields(overrideNode, at: path.key("overrides").key(featureKey), known: Self.ruleKeys)
                else { continue }
                overrides[featureKey] = QuotaOverride(
                    limit: number(rule, "limit"),
                    period: choice(rule, "period", among: QuotaPeriod.allCases),
                    thresholds: thresholds(rule),
                    hard: bool(rule, "hard")
                )
            }
        }
        return CustomerDefinition(
            key: string(fields, "key", required: true) ?? "",
            subjects: strings(fields, "subjects") ?? [],
            plan: string(fields, "plan"),
            overrides: overrides,
            prices: fields["prices"].map { modelPrices($0, at: path.key("prices")) } ?? []
        )
    }

    /// `thresholds`: percentages; a single number counts as a one-item list.
    private mutating func thresholds(_ fields: Fields) -> [Double]? {
        guard let node = fields["thresholds"], !isNull(node) else { return nil }
        let path = fields.path.key("thresholds")
        if node.scalar != nil { return number(node, at: path).map { [$0] } }
        guard let items = items(node, at: path) else { return nil }
        let values = items.compactMap { itemPath, item in number(item, at: itemPath) }
        return values.count == items.count ? values : nil
    }
}
