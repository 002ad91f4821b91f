import Foundation

/// The value of one rollup as the oracle or the output topic has it.
struct RollupValue: Equatable, CustomStringConvertible {
    var value: Double
    var eventCount: Int
    var subjects: [String]

    var description: String { "value=\(value) eventCount=\(eventCount) subjects=\(subjects)" }
}

/// What makes a quota event unique (SPEC: its id hashes the same fields).
struct QuotaIdentity: Hashable, Comparable, CustomStringConvertible {
    var type: String
    var customer: String
    var feature: String
    var periodStart: String
    var threshold: Int

    var description: String { "\(type) \(customer)/\(feature) \(periodStart) \(threshold)%" }

    static func < (a: Self, b: Self) -> Bool { a.description < b.description }
}

/// A dead letter by reason and original coordinates.
struct DeadLetterIdentity: Hashable, Comparable, CustomStringConvertible {
    var reason: String
    var topic: String
    var partition: Int32
    var offset: Int64

    var description: String { "\(reason) \(topic)[\(partition)]@\(offset)" }

    static func < (a: Self, b: Self) -> Bool { (a.topic, a.partition, a.offset) < (b.topic, b.partition, b.offset) }
}

/// The expected outputs, computed from the produced records and the setup
/// alone: plain dictionaries and loops, no meterd code.
struct UsageOracle {
    static let windowMillis: Int64 = 60_000

    var rollups: [String: RollupValue] = [:]
    var quota: Set<QuotaIdentity> = []
    /// Original key and value; a nil value: the dead letter carries none (original too large to produce).
    var deadLetters: [DeadLetterIdentity: (key: [UInt8], value: [UInt8]?)] = [:]
    /// Usage events counted (after dedupe), for reporting.
    var countedEvents = 0
    var duplicates = 0

    init(produced: [ProducedRecord], setup: PipelineSetup, topic: String = "gateway.usage") {
        let customerOf = setup.customerOfSubject
        var seen: Set<String> = []
        var periodUsage: [String: [Int64: Double]] = [:]   // "customer\u{0}feature" → period start → usage
        var subjects: [String: Set<String>] = [:]
        for item in produced {
            switch item.record.kind {
            case .rejected(let reason):
                let identity = DeadLetterIdentity(reason: reason, topic: topic, partition: item.partition, offset: item.offset)
                deadLetters[identity] = (item.record.key, item.record.bytes)
            case .usage(let event):
                guard let subject = event.subject else { continue }
                let customer = customerOf[subject] ?? subject
                guard seen.insert("\(customer)\u{0}\(event.requestId)").inserted else {
                    duplicates += 1
                    continue
                }
                countedEvents += 1
                let window = Self.floorDiv(event.startedAt, Self.windowMillis) * Self.windowMillis
                var counted: [(feature: String, breakdown: String, value: Double)] = [("requests", "/route=\(Self.escape(event.route))", 1)]
                if PipelineSetup.successStatuses.contains(event.status) { counted.append(("successful_requests", "", 1)) }
                if let ai = event.ai {
                    counted.append(("llm_input_tokens", "", Double(ai.promptTokens)))
                    counted.append(("llm_spend", "", ai.cost))
                }
                let rules = setup.rules(ofCustomer: customer)
                for item in counted {
                    let key = "\(Self.escape(customer))/\(Self.escape(item.feature))/\(window)\(item.breakdown)"
                    rollups[key, default: RollupValue(value: 0, eventCount: 0, subjects: [])].value += item.value
                    rollups[key]?.eventCount += 1
                    subjects[key, default: []].insert(subject)
                    if let rule = rules[item.feature] {
                        let period = Self.periodStart(event.startedAt, rule.period)
                        periodUsage["\(customer)\u{0}\(item.feature)", default: [:]][period, default: 0] += item.value
                    }
                }
            }
        }
        for (key, names) in subjects { rollups[key]?.subjects = names.sorted() }
        for (pair, usageByPeriod) in periodUsage {
            let parts = pair.split(separator: "\u{0}").map(String.init)
            let (customer, feature) = (parts[0], parts[1])
            guard let rule = setup.rules(ofCustomer: customer)[feature] else { continue }
            var announcedBefore = false
            for period in usageByPeriod.keys.sorted() {
                let usage = usageByPeriod[period] ?? 0
                let start = Self.rfc3339(period)
                if announcedBefore {
                    quota.insert(QuotaIdentity(type: "quota.reset", customer: customer, feature: feature, periodStart: start, threshold: 0))
                }
                for threshold in rule.thresholds where usage >= Double(rule.limit * threshold) / 100 {
                    let type = threshold == 100 ? "quota.exceeded" : "quota.threshold"
                    quota.insert(QuotaIdentity(type: type, customer: customer, feature: feature, periodStart: start, threshold: threshold))
                    announcedBefore = true
                }
            }
        }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// SPEC section 3: `%`, `/`, `=` percent-encoded with uppercase hex.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "%": out += "%25"
            case "/": out += "%2F"
            case "=": out += "%3D"
            default: out.append(character)
            }
        }
        return out
    }

    static func periodStart(_ millis: Int64, _ period: TestQuotaRule.Period) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let date = Date(timeIntervalSince1970: Double(millis) / 1_000)
        let components: Set<Calendar.Component> = period == .day ? [.year, .month, .day] : [.year, .month]
        let start = calendar.date(from: calendar.dateComponents(components, from: date)) ?? date
        return Int64(start.timeIntervalSince1970 * 1_000)
    }

    static func rfc3339(_ millis: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1_000))
    }
}
