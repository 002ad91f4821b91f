import Foundation
import KongTraffic
import MeterdCore

/// The `meterd run` configuration of the end-to-end benchmark as YAML:
/// `PipelineConfiguration`'s meters, features, plan and 300 customers, with
/// appId `bench`, one input topic and unknown subjects passed through.
enum BenchConfigYAML {
    /// The embedded broker elects a group leader only `session.timeout.ms` − 1 s
    /// after a rebalance that starts in a stable group, and answers a
    /// follower's SyncGroup that arrives after the leader's with
    /// REBALANCE_IN_PROGRESS (rdkafka_mock_cgrp.c, 2.0.2). With librdkafka's
    /// default of 45 s, one of two members starting together can wait 44 s
    /// for its partitions; 6 s is the smallest timeout the broker accepts.
    static let embeddedBrokerGroupProperties = ["session.timeout.ms": "6000"]

    /// meterd's producer keeps librdkafka's default, no compression: the
    /// bench-only broker keeps every record without it, and with
    /// `compression.type: lz4` compressing the repartition, changelog and
    /// rollup records was ~5% of meterd's CPU (liblz4 8.8% of its samples,
    /// 4.1 of them the input's decompression; BENCHMARKS.md, end-to-end round 9).
    static func render(
        appId: String, inputTopic: String, bootstrap: String, commitInterval: String,
        configuration: MeterdConfiguration = PipelineConfiguration.meterd, kafkaProperties: [String: String] = [:]
    ) -> String {
        let extra = kafkaProperties.keys.sorted().map { "\n  \($0): \"\(kafkaProperties[$0] ?? "")\"" }.joined()
        var out = """
        appId: \(appId)
        kafka:
          bootstrap: "\(bootstrap)"
          inputTopics: [\(inputTopic)]
          inputKeyedBySubject: false\(extra)
        windows:
          size: 1m
          grace: 10s
          allowedLateness: 1h
          idleTimeout: 5s
        commitInterval: \(commitInterval)
        unknownSubjects: passthrough
        outputs: { rollups: \(configuration.outputs.rollups), quota: \(configuration.outputs.quota), dlq: \(configuration.outputs.dlq) }
        meters:

        """
        for meter in configuration.meters {
            out += "  - slug: \(meter.slug)\n    eventType: \(meter.eventType)\n    aggregation: \(meter.aggregation.rawValue)\n"
            if let value = meter.valueProperty { out += "    valueProperty: \(quoted(value))\n" }
            if !meter.groupBy.isEmpty {
                out += "    groupBy:\n"
                for name in meter.groupBy.keys.sorted() { out += "      \(name): \(quoted(meter.groupBy[name] ?? ""))\n" }
            }
        }
        out += "features:\n"
        for feature in configuration.features {
            out += "  - key: \(feature.key)\n    meter: \(feature.meter)\n"
            if !feature.filter.isEmpty {
                let entries = feature.filter.keys.sorted().map { "\($0): [\((feature.filter[$0] ?? []).map(quoted).joined(separator: ", "))]" }
                out += "    filter: { \(entries.joined(separator: ", ")) }\n"
            }
            if !feature.breakdown.isEmpty { out += "    breakdown: [\(feature.breakdown.joined(separator: ", "))]\n" }
        }
        out += "plans:\n"
        for name in configuration.plans.keys.sorted() {
            out += "  \(name):\n"
            let rules = configuration.plans[name]?.rules ?? [:]
            for feature in rules.keys.sorted() {
                guard let rule = rules[feature] else { continue }
                let thresholds = rule.thresholds.map(number).joined(separator: ", ")
                out += "    \(feature): { limit: \(number(rule.limit)), period: \(rule.period.rawValue), thresholds: [\(thresholds)], hard: \(rule.hard) }\n"
            }
        }
        out += "customers:\n"
        for customer in configuration.customers {
            out += "  - key: \(customer.key)\n    subjects: [\(customer.subjects.joined(separator: ", "))]\n"
            if let plan = customer.plan { out += "    plan: \(plan)\n" }
            if !customer.overrides.isEmpty {
                out += "    overrides:\n"
                for feature in customer.overrides.keys.sorted() {
                    guard let override = customer.overrides[feature] else { continue }
                    var fields: [String] = []
                    if let limit = override.limit { fields.append("limit: \(number(limit))") }
                    if let period = override.period { fields.append("period: \(period.rawValue)") }
                    if let thresholds = override.thresholds { fields.append("thresholds: [\(thresholds.map(number).joined(separator: ", "))]") }
                    if let hard = override.hard { fields.append("hard: \(hard)") }
                    out += "      \(feature): { \(fields.joined(separator: ", ")) }\n"
                }
            }
        }
        return out
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
