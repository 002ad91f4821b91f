extension CustomerState {
    /// What accepting one record did to a customer's state.
    enum AcceptOutcome {
        case duplicate
        /// `newWindow`: the customer had no state for the window yet;
        /// `quotaExpiry`: earliest expiry of a quota period touched.
        case accepted(newWindow: Bool, changedRollup: Bool, quotaExpiry: Int64?)
    }

    /// Dedupes, then counts a validated, not-too-late record into the
    /// window's rollups and the customer's quota periods.
    mutating func accept(
        _ record: UsageRecord, windowStart: Int64, compiled: CompiledConfiguration,
        quotaEvents: inout [QuotaEvent]
    ) -> AcceptOutcome {
        let dedupeKey = DedupeKey(source: record.source, id: record.id)
        guard dedupe[dedupeKey] == nil else { return .duplicate }
        dedupe[dedupeKey] = windowStart
        let newWindow = windows[windowStart] == nil
        var changedRollup = false
        var quotaExpiry: Int64?
        let rules = compiled.quotaRules(forCustomer: record.customer)
        windows[windowStart, default: CustomerWindowState()].dedupeKeys.append(dedupeKey)
        for sample in record.samples {
            for featureIndex in compiled.featuresByMeter[sample.meterIndex] {
                let feature = compiled.features[featureIndex]
                guard feature.matches(sample.dimensions) else { continue }
                changedRollup = true
                let groupKey = RollupGroupKey(featureIndex: featureIndex, breakdown: feature.breakdown(of: sample.dimensions))
                windows[windowStart, default: CustomerWindowState()].add(
                    sample.value, to: groupKey, kind: feature.aggregation, record: record
                )
                guard let rule = rules[featureIndex] else { continue }
                let amount = feature.aggregation == .count ? 1 : sample.value.number
                quotas[featureIndex, default: FeatureQuotaState()].record(
                    amount: amount, eventTimeMillis: record.eventTimeMillis, rule: rule,
                    customer: record.customer, feature: feature.key, into: &quotaEvents
                )
                let end = QuotaCalendar.period(rule.period, containing: record.eventTimeMillis).end
                let expiry = FeatureQuotaState.expiryTime(ofEnd: end, windows: compiled.windows)
                quotaExpiry = Swift.min(quotaExpiry ?? expiry, expiry)
            }
        }
        return .accepted(newWindow: newWindow, changedRollup: changedRollup, quotaExpiry: quotaExpiry)
    }
}

extension CustomerWindowState {
    mutating func add(_ value: SampleValue, to key: RollupGroupKey, kind: AggregationKind, record: UsageRecord) {
        groups[key, default: RollupGroupState(accumulator: Accumulator(kind: kind))].update(value, record: record)
    }
}

extension RollupGroupState {
    mutating func update(_ value: SampleValue, record: UsageRecord) {
        accumulator.add(value, eventTimeMillis: record.eventTimeMillis, id: record.id)
        subjects.insert(record.subject)
        dirty = true
    }

    /// Marks the group emitted and returns its new revision.
    mutating func markEmitted() -> Int {
        revision += 1
        dirty = false
        return revision
    }
}
