extension MeterdConfiguration {
    /// The quota rules that apply to `customer`, by feature key: its plan's
    /// rules with its overrides applied field by field, plus the rules its
    /// overrides add for features outside the plan (those must give `limit`
    /// and `period`; `thresholds` default to `[100]`, `hard` to false).
    /// Subjects that resolve to no configured customer have no quotas.
    public func quotaRules(for customer: CustomerDefinition) -> [String: QuotaRule] {
        var rules = customer.plan.flatMap { plans[$0]?.rules } ?? [:]
        for (featureKey, override) in customer.overrides {
            if var rule = rules[featureKey] {
                if let limit = override.limit { rule.limit = limit }
                if let period = override.period { rule.period = period }
                if let thresholds = override.thresholds { rule.thresholds = thresholds }
                if let hard = override.hard { rule.hard = hard }
                rules[featureKey] = rule
            } else if let limit = override.limit, let period = override.period {
                rules[featureKey] = QuotaRule(
                    limit: limit, period: period, thresholds: override.thresholds ?? [100], hard: override.hard ?? false
                )
            }
        }
        return rules
    }
}
