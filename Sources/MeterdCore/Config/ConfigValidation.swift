/// The semantic checks of a configuration: everything a well-formed YAML file
/// can still get wrong (dangling references, duplicates, impossible windows,
/// illegal topic names…).
///
/// Pure: it sees only `MeterdConfiguration` and returns every problem found,
/// addressed by path; the loader places them in the file.
public enum ConfigValidation {
    /// Window sizes must divide this so that windows align with UTC days.
    public static let millisPerDay: Int64 = 86_400_000

    /// Kafka's limit on topic name length.
    public static let maxTopicNameLength = 249

    /// librdkafka properties meterd sets itself, with what to do instead.
    public static let managedKafkaProperties: [String: String] = [
        "bootstrap.servers": "use kafka.bootstrap",
        "metadata.broker.list": "use kafka.bootstrap",
        "group.id": "the consumer group id is appId",
        "transactional.id": "meterd derives transactional ids from appId",
        "isolation.level": "meterd always reads read_committed",
        "enable.auto.commit": "offsets are committed inside meterd's transactions",
        "enable.auto.offset.store": "offsets are committed inside meterd's transactions",
    ]

    /// Every problem of `config`, in document order of the checks.
    public static func problems(in config: MeterdConfiguration) -> [ConfigProblem] {
        var checker = ConfigChecker(config: config)
        checker.checkGeneral()
        checker.checkMeters()
        checker.checkFeatures()
        checker.checkPlans()
        checker.checkCustomers()
        checker.checkPrices()
        return checker.problems
    }

    /// Legal Kafka topic name: 1…249 of `[a-zA-Z0-9._-]`, not `.` or `..`.
    public static func isLegalTopicName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= maxTopicNameLength, name != ".", name != ".." else { return false }
        return name.utf8.allSatisfy { c in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }
    }
}

/// Accumulates problems while walking one configuration.
struct ConfigChecker {
    let config: MeterdConfiguration
    var problems: [ConfigProblem] = []
    let metersBySlug: [String: MeterDefinition]
    let featuresByKey: [String: FeatureDefinition]

    init(config: MeterdConfiguration) {
        self.config = config
        metersBySlug = Dictionary(config.meters.map { ($0.slug, $0) }, uniquingKeysWith: { first, _ in first })
        featuresByKey = Dictionary(config.features.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Aggregating input partitions in place is right only if every record of
    /// a customer lands in one partition: one input topic, one subject per customer.
    mutating func checkInputKeyedBySubject(at path: ConfigPath) {
        if config.kafka.inputTopics.count > 1 {
            report(path, "inputKeyedBySubject needs exactly one input topic", hint: "use the repartition hop (inputKeyedBySubject: false) for several topics")
        }
        for (i, customer) in config.customers.enumerated() where customer.subjects.count > 1 {
            report(
                ConfigPath.root.key("customers").index(i).key("subjects"),
                "customer '\(customer.key)' has \(customer.subjects.count) subjects, which a subject-keyed input spreads over several partitions",
                hint: "set kafka.inputKeyedBySubject: false so usage is re-keyed by customer"
            )
        }
    }

    mutating func report(_ path: ConfigPath, _ message: String, hint: String? = nil) {
        problems.append(ConfigProblem(path, message: message, hint: hint))
    }

    mutating func checkGeneral() {
        let root = ConfigPath.root
        let longestSuffix = "-repartition".utf8.count
        if !ConfigValidation.isLegalTopicName(config.appId) {
            report(root.key("appId"), "'\(config.appId)' cannot prefix Kafka topic names",
                   hint: "use letters, digits, '.', '_' and '-' only")
        } else if config.appId.utf8.count + longestSuffix > ConfigValidation.maxTopicNameLength {
            report(root.key("appId"), "appId is too long for its internal topic names",
                   hint: "at most \(ConfigValidation.maxTopicNameLength - longestSuffix) characters")
        }
        let kafka = root.key("kafka")
        if config.kafka.bootstrap.isEmpty {
            report(kafka.key("bootstrap"), "bootstrap is empty", hint: "e.g. bootstrap: \"localhost:9092\"")
        }
        if config.kafka.inputTopics.isEmpty {
            report(kafka.key("inputTopics"), "no input topics", hint: "e.g. inputTopics: [gateway.usage]")
        }
        var seenInputs: Set<String> = []
        for (i, topic) in config.kafka.inputTopics.enumerated() {
            checkTopic(topic, at: kafka.key("inputTopics").index(i))
            if !seenInputs.insert(topic).inserted {
                report(kafka.key("inputTopics").index(i), "input topic '\(topic)' is listed twice")
            }
        }
        if config.kafka.inputKeyedBySubject {
            checkInputKeyedBySubject(at: kafka.key("inputKeyedBySubject"))
        }
        if !(0...19).contains(config.kafka.mainThreadNice) {
            report(kafka.key("mainThreadNice"), "must be between 0 and 19", hint: "0 leaves librdkafka's main thread as it is; the default is \(KafkaSettings.defaultMainThreadNice)")
        }
        for key in config.kafka.properties.keys.sorted() {
            if let instead = ConfigValidation.managedKafkaProperties[key] {
                report(kafka.key(key), "meterd sets '\(key)' itself", hint: instead)
            }
        }
        checkWindows()
        if config.commitIntervalMillis <= 0 {
            report(root.key("commitInterval"), "must be > 0", hint: "e.g. commitInterval: 100ms")
        }
        if config.maxRecordBytes <= 0 {
            report(root.key("maxRecordBytes"), "must be > 0", hint: "e.g. maxRecordBytes: 1048576")
        }
        checkOutputs()
    }

    mutating func checkWindows() {
        let path = ConfigPath.root.key("windows")
        let windows = config.windows
        if windows.sizeMillis <= 0 {
            report(path.key("size"), "must be > 0", hint: "e.g. size: 1m")
        } else if ConfigValidation.millisPerDay % windows.sizeMillis != 0 {
            report(path.key("size"), "window size \(DurationParsing.format(millis: windows.sizeMillis)) does not divide a day",
                   hint: "windows align with UTC days: use e.g. 1m, 5m, 15m, 1h or 1d")
        }
        let nonNegative: [(String, Int64)] = [
            ("grace", windows.graceMillis), ("allowedLateness", windows.allowedLatenessMillis), ("idleTimeout", windows.idleTimeoutMillis),
        ]
        for (name, value) in nonNegative where value < 0 {
            report(path.key(name), "must be ≥ 0", hint: "0s disables it")
        }
    }

    mutating func checkOutputs() {
        let path = ConfigPath.root.key("outputs")
        let outputs = [("rollups", config.outputs.rollups), ("quota", config.outputs.quota), ("dlq", config.outputs.dlq)]
        let internalTopics = [config.repartitionTopic, config.changelogTopic]
        var used: [String: String] = [:]
        for (name, topic) in outputs {
            guard checkTopic(topic, at: path.key(name)) else { continue }
            if let other = used[topic] {
                report(path.key(name), "output topic '\(topic)' is also the \(other) topic", hint: "each output needs its own topic")
            } else if config.kafka.inputTopics.contains(topic) {
                report(path.key(name), "output topic '\(topic)' is an input topic", hint: "meterd would read its own output")
            } else if internalTopics.contains(topic) {
                report(path.key(name), "output topic '\(topic)' is one of meterd's internal topics")
            }
            used[topic] = name
        }
    }

    @discardableResult
    mutating func checkTopic(_ topic: String, at path: ConfigPath) -> Bool {
        guard ConfigValidation.isLegalTopicName(topic) else {
            report(path, "'\(topic)' is not a legal Kafka topic name",
                   hint: "1 to \(ConfigValidation.maxTopicNameLength) of letters, digits, '.', '_' and '-'")
            return false
        }
        return true
    }

    mutating func checkSelector(_ selector: String, at path: ConfigPath) {
        do throws(JSONSelector.SyntaxError) {
            _ = try JSONSelector(parsing: selector)
        } catch {
            report(path, "bad selector '\(selector)': \(error)", hint: "selectors look like $.a.b, $.a[\"x-y\"] or $.a[0]")
        }
    }

    mutating func checkMeters() {
        var firstIndex: [String: Int] = [:]
        for (i, meter) in config.meters.enumerated() {
            let path = ConfigPath.root.key("meters").index(i)
            if meter.slug.isEmpty {
                report(path.key("slug"), "a meter needs a slug", hint: "e.g. slug: api_requests")
            } else if let first = firstIndex[meter.slug] {
                report(path.key("slug"), "duplicate meter slug '\(meter.slug)'", hint: "first defined at meters[\(first)]")
            } else {
                firstIndex[meter.slug] = i
            }
            if meter.eventType.isEmpty {
                report(path.key("eventType"), "a meter needs an eventType", hint: "kong.request for Kong records, the CloudEvent type otherwise")
            }
            if let cost = meter.cost {
                checkCostMeter(meter, cost, at: path)
            } else {
                checkValueProperty(meter, at: path)
            }
            for name in meter.groupBy.keys.sorted() {
                if name.isEmpty {
                    report(path.key("groupBy").key(name), "a groupBy dimension needs a name")
                }
                checkSelector(meter.groupBy[name] ?? "", at: path.key("groupBy").key(name))
            }
        }
    }

    mutating func checkValueProperty(_ meter: MeterDefinition, at path: ConfigPath) {
        switch (meter.aggregation, meter.valueProperty) {
        case (.count, .some):
            report(path.key("valueProperty"), "COUNT counts events and takes no valueProperty",
                   hint: "remove valueProperty, or use SUM to add the values up")
        case (.count, .none):
            break
        case (let aggregation, .none):
            report(path.key("valueProperty"), "\(aggregation.rawValue) needs a valueProperty",
                   hint: aggregation == .sum
                       ? "e.g. valueProperty: \"$.ai.proxy.usage.total_tokens\", or cost: {} to sum LLM cost from the price table"
                       : "e.g. valueProperty: \"$.ai.proxy.usage.total_tokens\"")
        case (_, .some(let selector)):
            checkSelector(selector, at: path.key("valueProperty"))
        }
    }

    mutating func checkFeatures() {
        if config.features.isEmpty {
            report(ConfigPath.root.key("features"), "no features: nothing would be metered",
                   hint: "add a feature naming a meter, e.g. { key: api_calls, meter: api_requests }")
        }
        var firstIndex: [String: Int] = [:]
        for (i, feature) in config.features.enumerated() {
            let path = ConfigPath.root.key("features").index(i)
            if feature.key.isEmpty {
                report(path.key("key"), "a feature needs a key", hint: "e.g. key: successful_requests")
            } else if let first = firstIndex[feature.key] {
                report(path.key("key"), "duplicate feature key '\(feature.key)'", hint: "first defined at features[\(first)]")
            } else {
                firstIndex[feature.key] = i
            }
            guard let meter = metersBySlug[feature.meter] else {
                report(path.key("meter"), "unknown meter '\(feature.meter)'",
                       hint: NameSuggestion.hint(for: feature.meter, among: metersBySlug.keys) ?? knownList("meters", metersBySlug.keys))
                continue
            }
            for dimension in feature.filter.keys.sorted() {
                let at = path.key("filter").key(dimension)
                if meter.groupBy[dimension] == nil {
                    report(at, "meter '\(meter.slug)' has no groupBy dimension '\(dimension)'", hint: dimensionHint(dimension, meter))
                } else if feature.filter[dimension]?.isEmpty ?? true {
                    report(at, "filter on '\(dimension)' lists no values and would match nothing")
                }
            }
            var seen: Set<String> = []
            for (k, dimension) in feature.breakdown.enumerated() {
                let at = path.key("breakdown").index(k)
                if meter.groupBy[dimension] == nil {
                    report(at, "meter '\(meter.slug)' has no groupBy dimension '\(dimension)'", hint: dimensionHint(dimension, meter))
                } else if !seen.insert(dimension).inserted {
                    report(at, "breakdown lists '\(dimension)' twice")
                }
            }
        }
    }

    func dimensionHint(_ dimension: String, _ meter: MeterDefinition) -> String {
        if meter.groupBy.isEmpty { return "add it to the meter's groupBy" }
        return NameSuggestion.hint(for: dimension, among: meter.groupBy.keys)
            ?? "the meter groups by \(meter.dimensionNames.joined(separator: ", "))"
    }

    func knownList<C: Collection<String>>(_ what: String, _ names: C) -> String {
        names.isEmpty ? "no \(what) are defined" : "known \(what): \(names.sorted().joined(separator: ", "))"
    }
}
