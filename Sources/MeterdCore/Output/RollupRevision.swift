/// One emission of a rollup (SPEC section 3, `meter.rollup`): the complete
/// value of a (customer, feature, window, breakdown) at a revision.
public struct RollupRevision: Sendable, Equatable, Hashable {
    /// One breakdown dimension and its value.
    public struct Dimension: Sendable, Equatable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var customer: String
    public var feature: String
    public var meter: String
    public var aggregation: AggregationKind
    public var windowStartMillis: Int64
    public var windowEndMillis: Int64
    public var value: Double
    public var eventCount: Int64
    /// Present breakdown dimensions, sorted by raw name.
    public var breakdown: [Dimension]
    /// 1 for the first emission.
    public var revision: Int
    /// Distinct contributing subjects, sorted.
    public var subjects: [String]

    public init(
        customer: String, feature: String, meter: String, aggregation: AggregationKind,
        windowStartMillis: Int64, windowEndMillis: Int64, value: Double, eventCount: Int64,
        breakdown: [Dimension], revision: Int, subjects: [String]
    ) {
        self.customer = customer
        self.feature = feature
        self.meter = meter
        self.aggregation = aggregation
        self.windowStartMillis = windowStartMillis
        self.windowEndMillis = windowEndMillis
        self.value = value
        self.eventCount = eventCount
        self.breakdown = breakdown
        self.revision = revision
        self.subjects = subjects
    }

    /// The Kafka key of the rollup (SPEC section 3), also its identity across revisions.
    public var key: String { RollupKeyEncoding.key(of: self) }
}
