/// The whole meterd configuration of SPEC section 2, as plain values.
///
/// It is what `meterd.yaml` becomes once `MeterdConfig.ConfigLoader` has read
/// it; the core, the pipeline and the demo all take it as input and never
/// read files themselves. Durations are whole milliseconds because event
/// times are epoch milliseconds on the hot path.
public struct MeterdConfiguration: Sendable, Equatable {
    /// Consumer group id and prefix of the internal topics.
    public var appId: String
    public var kafka: KafkaSettings
    public var windows: WindowSettings
    /// How often one transaction commits outputs, changelog and offsets.
    public var commitIntervalMillis: Int64
    public var meters: [MeterDefinition]
    public var features: [FeatureDefinition]
    /// Plans by name.
    public var plans: [String: Plan]
    public var customers: [CustomerDefinition]
    /// LLM prices read by cost meters; customers may override them.
    public var prices: PriceTable
    public var unknownSubjects: UnknownSubjectPolicy
    public var outputs: OutputTopics
    /// Records whose value is larger than this are dead-lettered as `too_large`.
    public var maxRecordBytes: Int

    public init(
        appId: String = "meterd",
        kafka: KafkaSettings = KafkaSettings(),
        windows: WindowSettings = WindowSettings(),
        commitIntervalMillis: Int64 = 100,
        meters: [MeterDefinition] = [],
        features: [FeatureDefinition] = [],
        plans: [String: Plan] = [:],
        customers: [CustomerDefinition] = [],
        unknownSubjects: UnknownSubjectPolicy = .passthrough,
        outputs: OutputTopics = OutputTopics(),
        maxRecordBytes: Int = 1 << 20,
        prices: PriceTable = PriceTable()
    ) {
        self.appId = appId
        self.kafka = kafka
        self.windows = windows
        self.commitIntervalMillis = commitIntervalMillis
        self.meters = meters
        self.features = features
        self.plans = plans
        self.customers = customers
        self.prices = prices
        self.unknownSubjects = unknownSubjects
        self.outputs = outputs
        self.maxRecordBytes = maxRecordBytes
    }

    /// `<appId>-repartition`: usage re-keyed by customer.
    public var repartitionTopic: String { "\(appId)-repartition" }
    /// `<appId>-changelog`: compacted state and input positions.
    public var changelogTopic: String { "\(appId)-changelog" }
}

/// Where meterd reads from, plus any librdkafka property passed through as is.
public struct KafkaSettings: Sendable, Equatable {
    public var bootstrap: String
    public var inputTopics: [String]
    /// True when the input records are already keyed by subject, so the
    /// repartition hop can be skipped.
    public var inputKeyedBySubject: Bool
    /// How much `meterd run` raises the nice value of librdkafka's main
    /// thread in each of its clients (0 leaves it; see `KafkaConfiguration.mainThreadNice`).
    public var mainThreadNice: Int
    /// Every other key of the `kafka:` block (SASL, TLS, timeouts…), verbatim.
    public var properties: [String: String]

    public init(
        bootstrap: String = "localhost:9092",
        inputTopics: [String] = ["gateway.usage"],
        inputKeyedBySubject: Bool = false,
        mainThreadNice: Int = KafkaSettings.defaultMainThreadNice,
        properties: [String: String] = [:]
    ) {
        self.bootstrap = bootstrap
        self.inputTopics = inputTopics
        self.inputKeyedBySubject = inputKeyedBySubject
        self.mainThreadNice = mainThreadNice
        self.properties = properties
    }

    public static let defaultMainThreadNice = 10
}

/// Event-time tumbling window settings (SPEC section 4).
public struct WindowSettings: Sendable, Equatable {
    public var sizeMillis: Int64
    public var graceMillis: Int64
    public var allowedLatenessMillis: Int64
    public var idleTimeoutMillis: Int64

    public init(
        sizeMillis: Int64 = 60_000,
        graceMillis: Int64 = 10_000,
        allowedLatenessMillis: Int64 = 3_600_000,
        idleTimeoutMillis: Int64 = 5_000
    ) {
        self.sizeMillis = sizeMillis
        self.graceMillis = graceMillis
        self.allowedLatenessMillis = allowedLatenessMillis
        self.idleTimeoutMillis = idleTimeoutMillis
    }
}

/// The aggregations of OpenMeter's meters.
public enum AggregationKind: String, Sendable, Equatable, CaseIterable {
    case sum = "SUM"
    case count = "COUNT"
    case uniqueCount = "UNIQUE_COUNT"
    case avg = "AVG"
    case min = "MIN"
    case max = "MAX"
    case latest = "LATEST"

    /// Quotas accumulate usage only over these (SPEC section 4).
    public var supportsQuota: Bool { self == .sum || self == .count }
}

/// One meter: which events it reads, how it aggregates, which dimensions it keeps.
public struct MeterDefinition: Sendable, Equatable {
    public var slug: String
    public var eventType: String
    public var aggregation: AggregationKind
    /// Selector of the value; required for every aggregation but COUNT,
    /// unless `cost` computes the value.
    public var valueProperty: String?
    /// Set for a cost meter (SUM only): the value is the event's LLM cost
    /// from the price table instead of `valueProperty`.
    public var cost: CostSelectors?
    /// Dimension name → selector.
    public var groupBy: [String: String]
    /// SUM values may be negative only when this is set.
    public var allowNegative: Bool

    public init(
        slug: String,
        eventType: String,
        aggregation: AggregationKind,
        valueProperty: String? = nil,
        groupBy: [String: String] = [:],
        allowNegative: Bool = false,
        cost: CostSelectors? = nil
    ) {
        self.slug = slug
        self.eventType = eventType
        self.aggregation = aggregation
        self.valueProperty = valueProperty
        self.groupBy = groupBy
        self.allowNegative = allowNegative
        self.cost = cost
    }

    /// groupBy dimension names in the fixed (sorted) order used everywhere.
    public var dimensionNames: [String] { groupBy.keys.sorted() }
}

/// A billable feature: a meter, narrowed by a filter on its groupBy values.
public struct FeatureDefinition: Sendable, Equatable {
    public var key: String
    public var meter: String
    /// Dimension name → accepted values; every listed dimension must match.
    public var filter: [String: [String]]
    /// groupBy dimensions kept in rollups (others are summed over).
    public var breakdown: [String]

    public init(key: String, meter: String, filter: [String: [String]] = [:], breakdown: [String] = []) {
        self.key = key
        self.meter = meter
        self.filter = filter
        self.breakdown = breakdown
    }
}

/// Calendar periods over which quota usage accumulates, in UTC event time.
public enum QuotaPeriod: String, Sendable, Equatable, CaseIterable {
    case hour, day, week, month
}

/// An entitlement on one feature: a limit per period and the thresholds to announce.
public struct QuotaRule: Sendable, Equatable {
    public var limit: Double
    public var period: QuotaPeriod
    /// Percentages of the limit; 100 is `quota.exceeded`.
    public var thresholds: [Double]
    /// Whether the gateway should block at 100%.
    public var hard: Bool

    public init(limit: Double, period: QuotaPeriod, thresholds: [Double] = [100], hard: Bool = false) {
        self.limit = limit
        self.period = period
        self.thresholds = thresholds
        self.hard = hard
    }
}

/// A plan: feature key → quota rule.
public struct Plan: Sendable, Equatable {
    public var name: String
    public var rules: [String: QuotaRule]

    public init(name: String, rules: [String: QuotaRule]) {
        self.name = name
        self.rules = rules
    }
}

/// Per-customer changes to a plan's rule; unset fields keep the plan's value.
public struct QuotaOverride: Sendable, Equatable {
    public var limit: Double?
    public var period: QuotaPeriod?
    public var thresholds: [Double]?
    public var hard: Bool?

    public init(limit: Double? = nil, period: QuotaPeriod? = nil, thresholds: [Double]? = nil, hard: Bool? = nil) {
        self.limit = limit
        self.period = period
        self.thresholds = thresholds
        self.hard = hard
    }
}

/// A billing customer and the gateway consumers (subjects) rolled into it.
public struct CustomerDefinition: Sendable, Equatable {
    public var key: String
    public var subjects: [String]
    public var plan: String?
    /// Feature key → override of the plan's rule.
    public var overrides: [String: QuotaOverride]
    /// Negotiated LLM prices: where one matches, it replaces the price table's.
    public var prices: [ModelPrice]

    public init(
        key: String, subjects: [String], plan: String? = nil, overrides: [String: QuotaOverride] = [:], prices: [ModelPrice] = []
    ) {
        self.key = key
        self.subjects = subjects
        self.plan = plan
        self.overrides = overrides
        self.prices = prices
    }
}

/// What to do with usage whose subject belongs to no configured customer.
public enum UnknownSubjectPolicy: String, Sendable, Equatable {
    /// The subject is its own customer.
    case passthrough
    /// Dead-letter it as `unknown_subject`.
    case reject
}

/// Names of the output topics.
public struct OutputTopics: Sendable, Equatable {
    public var rollups: String
    public var quota: String
    public var dlq: String

    public init(rollups: String = "usage.rollups", quota: String = "usage.quota", dlq: String = "usage.dlq") {
        self.rollups = rollups
        self.quota = quota
        self.dlq = dlq
    }
}
