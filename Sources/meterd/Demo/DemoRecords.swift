/// One `meter.rollup` record as the demo's screen shows it: the fields of
/// its CloudEvent data and its key (SPEC section 3).
struct RollupRow: Sendable, Equatable {
    var key: String
    var customer: String
    var feature: String
    var aggregation: String
    var windowStartMillis: Int64
    var windowEndMillis: Int64
    var breakdown: [String: String]
    var value: Double
    var eventCount: Int
    var revision: Int

    /// SUM and COUNT values add up across windows and breakdown rows; the
    /// other aggregations (AVG, MIN, MAX, LATEST, UNIQUE_COUNT) do not.
    var isAdditive: Bool { aggregation == "SUM" || aggregation == "COUNT" }
}

/// One `quota.*` record: a threshold crossed, a limit reached, or a reset.
struct QuotaNotice: Sendable, Equatable {
    /// The CloudEvent id: deterministic, so a re-emission has the same one.
    var id: String
    /// `quota.threshold`, `quota.exceeded` or `quota.reset`.
    var type: String
    var customer: String
    var feature: String
    var periodStartMillis: Int64
    var periodEndMillis: Int64
    var limit: Double
    var usage: Double
    /// Percent of the limit; 0 for a reset.
    var threshold: Double
    var hard: Bool
    /// Event time of the usage that crossed the threshold.
    var timeMillis: Int64
}
