import Foundation
import MeterdCore
import MeterdKafka
import Testing

/// Every record meterd writes to usage.rollups and usage.quota conforms to
/// the JSON Schema that topics/*.yaml names for the topic, and dead letters
/// carry the SPEC section 3 headers: first for the core's encoder on all
/// aggregations and quota event types, then for a real `meterd run`.
@Suite("output records conform to topics/schemas", .serialized, .timeLimit(.minutes(3)))
struct SchemaConformanceTests {
    @Test("the output topics of topics/ name their schemas, and the schemas load")
    func schemasAreDeclared() throws {
        let schemas = try TopicSchemas.load()
        #expect(Set(schemas.keys) == ["usage.rollups", "usage.quota"])
    }

    @Test("core encoder: rollups of every aggregation and every quota event type conform")
    func coreOutputsConform() throws {
        let schemas = try TopicSchemas.load()
        let rollupSchema = try #require(schemas["usage.rollups"])
        let quotaSchema = try #require(schemas["usage.quota"])
        let (rollups, quotaEvents) = CoreOutputSample.run()
        #expect(Set(rollups.map(\.aggregation)) == Set(AggregationKind.allCases), "every aggregation emitted")
        #expect(Set(quotaEvents.map(\.kind)) == [.threshold, .exceeded, .reset], "every quota event type emitted")
        #expect(rollups.contains { $0.revision > 1 }, "late revisions emitted")
        let encoder = CloudEventEncoder(appId: "meterd")
        var violations: [String] = []
        for rollup in rollups {
            violations += TopicSchemas.violations(of: encoder.encode(rollup).value, against: rollupSchema, label: "rollup \(rollup.key) r\(rollup.revision)")
        }
        for event in quotaEvents {
            violations += TopicSchemas.violations(of: encoder.encode(event).value, against: quotaSchema, label: "\(event.kind.rawValue) \(event.customer)/\(event.feature)")
        }
        #expect(violations == [])
        print("schema core: \(rollups.count) rollups, \(quotaEvents.count) quota events validated")
    }

    /// Two finite SUM values near Double's limit would overflow to a NaN
    /// rollup (`"value":null`), which SPEC section 3 and the schema forbid:
    /// summed values beyond ±1e300 are `invalid_value`, so sums stay numbers.
    @Test("core: a SUM value that could overflow is invalid_value; rollups stay numbers")
    func overflowingSumEncodesANumber() throws {
        let rollupSchema = try #require(try TopicSchemas.load()["usage.rollups"])
        var aggregator = PartitionAggregator(configuration: CoreOutputSample.configuration)
        let start = CoreOutputSample.start
        // Values that could overflow a sum are rejected before anything is applied.
        #expect(aggregator.ingest(CoreOutputSample.event("big-1", at: start, tokens: 1.7e308)) == .rejected(.invalidValue))
        _ = aggregator.ingest(CoreOutputSample.event("big-2", at: start + 1, tokens: 1e300))
        _ = aggregator.ingest(CoreOutputSample.event("big-3", at: start + 2, tokens: 1e300))
        _ = aggregator.ingest(CoreOutputSample.event("close", at: start + 300_000))
        let tokens = aggregator.flush().filter { $0.feature == "tokens" && $0.windowStartMillis == start }
        #expect(tokens.count == 1)
        #expect(tokens.first?.value == 2e300)
        let encoder = CloudEventEncoder(appId: "meterd")
        for rollup in tokens {
            #expect(TopicSchemas.violations(of: encoder.encode(rollup).value, against: rollupSchema, label: rollup.key) == [])
        }
    }

    @Test("meterd run on generated traffic: every rollup and quota record conforms, dead letters carry their headers")
    func pipelineOutputsConform() async throws {
        let schemas = try TopicSchemas.load()
        let rollupSchema = try #require(schemas["usage.rollups"])
        let quotaSchema = try #require(schemas["usage.quota"])
        let setup = PipelineSetup.standard
        let cluster = try await PipelineCluster(setup: setup)
        defer { cluster.terminateAll() }
        let records = TrafficGenerator(setup: setup, seed: 11).generate(count: 8_000)
        try await cluster.start("p1")
        let producer = try TrafficProducer(bootstrap: cluster.bootstrap)
        try await onThread { try producer.send(records[...]) }
        try producer.verifyOffsets(bootstrap: cluster.bootstrap)
        let oracle = UsageOracle(produced: producer.produced, setup: setup)
        let reader = try OutputReader(bootstrap: cluster.bootstrap)
        let comparison = try await cluster.awaitOutputs(reader, equal: oracle, timeout: .seconds(120))
        #expect(comparison.isEmpty, "\(comparison.summary)\n\(comparison.isEmpty ? "" : cluster.diagnostics())")

        let bootstrap = cluster.bootstrap
        let outputs = try await onThread {
            try RawOutputCollector.collect(bootstrap: bootstrap, topics: ["usage.rollups", "usage.quota", "usage.dlq"])
        }
        var violations: [String] = []
        var quotaTypes: Set<String> = []
        let originals = DeadLetterHeaders.index(producer.produced, topic: TrafficProducer.topic)
        for record in outputs {
            let label = "\(record.topic)[\(record.partition)]@\(record.offset)"
            switch record.topic {
            case "usage.rollups":
                violations += TopicSchemas.violations(of: record.value, against: rollupSchema, label: label)
            case "usage.quota":
                violations += TopicSchemas.violations(of: record.value, against: quotaSchema, label: label)
                if let value = record.value, let type = (try? JSONValue.parse(value))?["type"]?.stringValue { quotaTypes.insert(type) }
            default:
                violations += DeadLetterHeaders.violations(of: record, originals: originals, label: label)
            }
        }
        #expect(violations.count == 0, "\(violations.count) violations:\n\(violations.prefix(20).joined(separator: "\n"))")
        let counts = Dictionary(grouping: outputs, by: \.topic).mapValues(\.count)
        #expect((counts["usage.rollups"] ?? 0) >= oracle.rollups.count)
        #expect((counts["usage.dlq"] ?? 0) >= oracle.deadLetters.count)
        #expect(quotaTypes == ["quota.threshold", "quota.exceeded", "quota.reset"])
        print("schema e2e: validated \(counts["usage.rollups"] ?? 0) rollup, \(counts["usage.quota"] ?? 0) quota and \(counts["usage.dlq"] ?? 0) dead-letter records")
        #expect(try await cluster.stop("p1", signal: SIGTERM) == 0)
    }
}
