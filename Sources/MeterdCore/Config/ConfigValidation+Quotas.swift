/// The checks of plans, customers and their quota overrides.
extension ConfigChecker {
    mutating func checkPlans() {
        for name in config.plans.keys.sorted() {
            let path = ConfigPath.root.key("plans").key(name)
            let rules = config.plans[name]?.rules ?? [:]
            for featureKey in rules.keys.sorted() {
                guard let rule = rules[featureKey] else { continue }
                let at = path.key(featureKey)
                guard checkQuotaFeature(featureKey, at: at) else { continue }
                checkRuleValues(limit: rule.limit, thresholds: rule.thresholds, at: at)
            }
        }
    }

    mutating func checkCustomers() {
        var firstIndex: [String: Int] = [:]
        var ownerOfSubject: [String: Int] = [:]
        for (i, customer) in config.customers.enumerated() {
            let path = ConfigPath.root.key("customers").index(i)
            if customer.key.isEmpty {
                report(path.key("key"), "a customer needs a key", hint: "e.g. key: acme")
            } else if let first = firstIndex[customer.key] {
                report(path.key("key"), "duplicate customer key '\(customer.key)'", hint: "first defined at customers[\(first)]")
            } else {
                firstIndex[customer.key] = i
            }
            if customer.subjects.isEmpty {
                report(path.key("subjects"), "customer '\(customer.key)' has no subjects",
                       hint: "list the gateway consumers whose usage it pays for, e.g. subjects: [\(customer.key.isEmpty ? "acme-web" : customer.key)]")
            }
            for (k, subject) in customer.subjects.enumerated() {
                let at = path.key("subjects").index(k)
                if subject.isEmpty {
                    report(at, "empty subject")
                } else if let owner = ownerOfSubject[subject] {
                    if owner == i {
                        report(at, "subject '\(subject)' is listed twice")
                    } else {
                        report(at, "subject '\(subject)' already belongs to customer '\(config.customers[owner].key)'",
                               hint: "a subject rolls into one customer only (see customers[\(owner)])")
                    }
                } else {
                    ownerOfSubject[subject] = i
                }
            }
            var plan: Plan?
            if let planName = customer.plan {
                plan = config.plans[planName]
                if plan == nil {
                    report(path.key("plan"), "unknown plan '\(planName)'",
                           hint: NameSuggestion.hint(for: planName, among: config.plans.keys) ?? knownList("plans", config.plans.keys))
                }
            }
            checkOverrides(of: customer, plan: plan, planIsKnown: customer.plan == nil || plan != nil, at: path.key("overrides"))
        }
    }

    /// Overrides of features the plan covers may change any field; an
    /// override of a feature outside the plan adds a rule, so it must give at
    /// least `limit` and `period`.
    private mutating func checkOverrides(of customer: CustomerDefinition, plan: Plan?, planIsKnown: Bool, at path: ConfigPath) {
        for featureKey in customer.overrides.keys.sorted() {
            guard let override = customer.overrides[featureKey] else { continue }
            let at = path.key(featureKey)
            guard checkQuotaFeature(featureKey, at: at) else { continue }
            let covered = plan?.rules[featureKey] != nil
            if !covered, planIsKnown, override.limit == nil || override.period == nil {
                let missing = [override.limit == nil ? "limit" : nil, override.period == nil ? "period" : nil].compactMap { $0 }
                let owner = customer.plan.map { "plan '\($0)' does not cover '\(featureKey)'" } ?? "the customer has no plan"
                report(at, "\(owner), so this override adds a rule and needs \(missing.joined(separator: " and "))",
                       hint: "give a complete rule, e.g. { limit: 1000, period: month }")
            }
            checkRuleValues(limit: override.limit, thresholds: override.thresholds, at: at)
        }
    }

    /// The feature exists and its meter can carry a quota.
    private mutating func checkQuotaFeature(_ featureKey: String, at path: ConfigPath) -> Bool {
        guard let feature = featuresByKey[featureKey] else {
            report(path, "unknown feature '\(featureKey)'",
                   hint: NameSuggestion.hint(for: featureKey, among: featuresByKey.keys) ?? knownList("features", featuresByKey.keys))
            return false
        }
        if let meter = metersBySlug[feature.meter], !meter.aggregation.supportsQuota {
            report(path, "quota on '\(featureKey)', whose meter '\(meter.slug)' is \(meter.aggregation.rawValue)",
                   hint: "quotas accumulate usage, so only SUM and COUNT meters can carry one")
        }
        return true
    }

    private mutating func checkRuleValues(limit: Double?, thresholds: [Double]?, at path: ConfigPath) {
        if let limit, !(limit.isFinite && limit > 0) {
            report(path.key("limit"), "limit must be > 0", hint: "to forbid a feature, use a small limit with hard: true")
        }
        guard let thresholds else { return }
        if thresholds.isEmpty {
            report(path.key("thresholds"), "no thresholds: nothing would be announced", hint: "e.g. thresholds: [80, 100]")
        }
        var seen: Set<Double> = []
        for (k, threshold) in thresholds.enumerated() {
            if !(threshold.isFinite && threshold > 0) {
                report(path.key("thresholds").index(k), "threshold must be > 0 (a percentage of the limit)")
            } else if !seen.insert(threshold).inserted {
                report(path.key("thresholds").index(k), "threshold \(threshold.rounded() == threshold ? String(Int64(threshold)) : String(threshold)) is listed twice")
            }
        }
    }
}
