import Foundation

/// A quota rule of the e2e configuration, as the oracle reads it.
struct TestQuotaRule {
    enum Period { case day, month }
    let limit: Int
    let period: Period
    let thresholds: [Int]
    let hard: Bool
}

/// A billing customer of the e2e configuration. `configured == false` means
/// the subject is in no customer list (passthrough: customer = subject).
struct TestCustomer {
    let key: String
    let subjects: [String]
    let plan: String?
    let configured: Bool
    /// Relative share of the traffic.
    let weight: Int
}

/// The configuration every pipeline e2e test runs with: written to YAML for
/// `meterd run`, and read directly by `UsageOracle`. Deliberately small —
/// COUNT and SUM features, one filter, one breakdown — so the oracle is
/// obviously right.
struct PipelineSetup {
    static let features = ["requests", "successful_requests", "llm_input_tokens", "llm_spend"]
    static let successStatuses: Set<Int> = [200, 201]

    let customers: [TestCustomer]
    let plans: [String: [String: TestQuotaRule]]
    /// Input keyed (and partitioned) by subject, aggregated in place without
    /// the repartition hop (`kafka.inputKeyedBySubject`).
    var keyedBySubject = false

    /// The standard customers with one subject each, input keyed by subject.
    static let keyed: PipelineSetup = {
        let customers = standard.customers.map { customer in
            TestCustomer(key: customer.key, subjects: [customer.subjects[0]], plan: customer.plan, configured: customer.configured, weight: customer.weight)
        }
        return PipelineSetup(customers: customers, plans: standard.plans, keyedBySubject: true)
    }()

    static let standard: PipelineSetup = {
        var customers: [TestCustomer] = []
        for index in 0..<30 {
            let name = String(format: "c%02d", index)
            let weight = [6, 3, 1][index % 3]
            switch index {
            case 0..<10:
                customers.append(TestCustomer(key: name, subjects: ["\(name)-web", "\(name)-api"], plan: index < 6 ? "free" : "pro", configured: true, weight: weight))
            case 10..<25:
                customers.append(TestCustomer(key: name, subjects: ["\(name)-app"], plan: index < 16 ? "free" : (index < 20 ? "pro" : nil), configured: true, weight: weight))
            default:
                let subject = String(format: "guest-%02d", index)
                customers.append(TestCustomer(key: subject, subjects: [subject], plan: nil, configured: false, weight: weight))
            }
        }
        let plans: [String: [String: TestQuotaRule]] = [
            "free": [
                "successful_requests": TestQuotaRule(limit: 200, period: .day, thresholds: [50, 80, 100], hard: true),
                "llm_input_tokens": TestQuotaRule(limit: 200_000, period: .month, thresholds: [50, 100], hard: true),
            ],
            "pro": [
                "successful_requests": TestQuotaRule(limit: 100_000, period: .day, thresholds: [80, 100], hard: false),
                "llm_spend": TestQuotaRule(limit: 200, period: .month, thresholds: [50, 100, 150], hard: false),
            ],
        ]
        return PipelineSetup(customers: customers, plans: plans)
    }()

    /// Subject → billing customer, for configured and passthrough subjects.
    var customerOfSubject: [String: String] {
        var map: [String: String] = [:]
        for customer in customers {
            for subject in customer.subjects { map[subject] = customer.key }
        }
        return map
    }

    func rules(ofCustomer key: String) -> [String: TestQuotaRule] {
        guard let customer = customers.first(where: { $0.key == key }), let plan = customer.plan else { return [:] }
        return plans[plan] ?? [:]
    }

    /// The YAML for `meterd run`.
    func yaml(bootstrap: String) -> String {
        var text = """
        appId: meterd
        kafka:
          bootstrap: "\(bootstrap)"
          inputTopics: [gateway.usage]
          inputKeyedBySubject: \(keyedBySubject)
          session.timeout.ms: "6000"
          heartbeat.interval.ms: "1000"
        windows: { size: 1m, grace: 2s, allowedLateness: 1h, idleTimeout: 2s }
        commitInterval: 100ms
        meters:
          - slug: api_requests
            eventType: kong.request
            aggregation: COUNT
            groupBy: { route: "$.route.name", status: "$.response.status" }
          - slug: llm_prompt_tokens
            eventType: kong.request
            aggregation: SUM
            valueProperty: "$.ai.proxy.usage.prompt_tokens"
          - slug: llm_cost
            eventType: kong.request
            aggregation: SUM
            valueProperty: "$.ai.proxy.usage.cost"
        features:
          - { key: requests, meter: api_requests, breakdown: [route] }
          - { key: successful_requests, meter: api_requests, filter: { status: [200, 201] } }
          - { key: llm_input_tokens, meter: llm_prompt_tokens }
          - { key: llm_spend, meter: llm_cost }
        plans:

        """
        for (plan, rules) in plans.sorted(by: { $0.key < $1.key }) {
            text += "  \(plan):\n"
            for (feature, rule) in rules.sorted(by: { $0.key < $1.key }) {
                let thresholds = rule.thresholds.map(String.init).joined(separator: ", ")
                text += "    \(feature): { limit: \(rule.limit), period: \(rule.period == .day ? "day" : "month"), thresholds: [\(thresholds)], hard: \(rule.hard) }\n"
            }
        }
        text += "customers:\n"
        for customer in customers where customer.configured {
            text += "  - { key: \(customer.key), subjects: [\(customer.subjects.joined(separator: ", "))]"
            if let plan = customer.plan { text += ", plan: \(plan)" }
            text += " }\n"
        }
        text += "unknownSubjects: passthrough\n"
        return text
    }
}
