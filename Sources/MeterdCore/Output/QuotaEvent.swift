/// One quota announcement of SPEC section 4, published to `usage.quota`.
public struct QuotaEvent: Sendable, Equatable, Hashable {
    /// The CloudEvent type of a quota announcement.
    public enum Kind: String, Sendable, Equatable, Hashable {
        case threshold = "quota.threshold"
        case exceeded = "quota.exceeded"
        case reset = "quota.reset"
    }

    public var kind: Kind
    public var customer: String
    public var feature: String
    public var periodStartMillis: Int64
    public var periodEndMillis: Int64
    public var limit: Double
    /// Usage of the period when the announcement was made.
    public var usage: Double
    /// Percent of the limit; 0 for `quota.reset`.
    public var threshold: Double
    public var hard: Bool
    /// Event time of the event that triggered the announcement (the CloudEvent `time`).
    public var eventTimeMillis: Int64

    public init(
        kind: Kind, customer: String, feature: String, periodStartMillis: Int64, periodEndMillis: Int64,
        limit: Double, usage: Double, threshold: Double, hard: Bool, eventTimeMillis: Int64
    ) {
        self.kind = kind
        self.customer = customer
        self.feature = feature
        self.periodStartMillis = periodStartMillis
        self.periodEndMillis = periodEndMillis
        self.limit = limit
        self.usage = usage
        self.threshold = threshold
        self.hard = hard
        self.eventTimeMillis = eventTimeMillis
    }
}
