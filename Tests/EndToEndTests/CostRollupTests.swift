import Foundation
import MeterdKafka
import Testing

/// `meterd run` with a price table: cost rollups at table and negotiated
/// rates, and unpriced events counted in `/metrics`.
@Suite("LLM cost meters as a process", .serialized, .timeLimit(.minutes(2)))
struct CostRollupTests {
    static let windowStart: Int64 = 1_700_000_040_000   // a minute boundary

    static func yaml(bootstrap: String) -> String {
        """
        kafka: { bootstrap: "\(bootstrap)", inputTopics: [gateway.usage] }
        windows: { size: 1m, grace: 1s, allowedLateness: 1h, idleTimeout: 2s }
        meters:
          - slug: llm_cost_usd
            eventType: kong.request
            aggregation: SUM
            cost: {}
            groupBy: { model: "$.ai.proxy.meta.response_model" }
        features:
          - { key: llm_spend, meter: llm_cost_usd, breakdown: [model] }
        prices:
          models:
            - { provider: openai, model: "gpt-4o*", input: 2.50, output: 10.00 }
        customers:
          - key: acme
            subjects: [acme-web]
            prices: [{ provider: openai, model: gpt-4o, input: 2.00, output: 8.00 }]
        """
    }

    static func kong(_ id: String, subject: String, at offset: Int64, ai: (provider: String, model: String)?) -> [UInt8] {
        var json = #"{"request":{"id":"\#(id)","method":"POST"},"started_at":\#(windowStart + offset),"#
            + #""consumer":{"username":"\#(subject)"},"response":{"status":200}"#
        if let ai {
            json += #","ai":{"proxy":{"usage":{"prompt_tokens":1000,"completion_tokens":500},"#
                + #""meta":{"provider_name":"\#(ai.provider)","response_model":"\#(ai.model)"}}}"#
        }
        return Array((json + "}").utf8)
    }

    @Test("cost rollups at table and negotiated prices; unpriced events counted, not dead-lettered")
    func costRollups() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let broker = try MeterdProcess(["broker", "--topics-dir", "\(root)/topics"])
        defer { kill(broker.process.processIdentifier, SIGKILL) }
        let bootstrap = try await broker.waitForLines(1)[0]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meterd-cost-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let configPath = directory.appendingPathComponent("meterd.yaml").path
        try Self.yaml(bootstrap: bootstrap).write(toFile: configPath, atomically: true, encoding: .utf8)
        let run = try MeterdProcess(["run", "-c", configPath, "--bootstrap", bootstrap, "--http-port", "0", "--instance-id", "cost"])
        defer { kill(run.process.processIdentifier, SIGKILL) }

        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrap: bootstrap), logger: PipelineCluster.quietLogger)
        let records = [
            Self.kong("a1", subject: "acme-web", at: 1, ai: ("openai", "gpt-4o")),
            Self.kong("a2", subject: "acme-web", at: 2, ai: ("openai", "gpt-4o")),
            Self.kong("a3", subject: "acme-web", at: 3, ai: ("azure", "gpt-4o")),
            Self.kong("a4", subject: "acme-web", at: 4, ai: nil),
            Self.kong("g1", subject: "globex-api", at: 5, ai: ("openai", "gpt-4o-2024-08-06")),
            // Move the stream time of each customer's partition past the window's close.
            Self.kong("later-a", subject: "acme-web", at: 180_000, ai: nil),
            Self.kong("later-g", subject: "globex-api", at: 180_000, ai: nil),
        ]
        for record in records { try producer.send(OutgoingRecord(topic: "gateway.usage", partition: 0, value: record)) }
        try producer.flush(timeoutMillis: 30_000)

        let reader = try OutputReader(bootstrap: bootstrap)
        let acmeKey = "acme/llm_spend/\(Self.windowStart)/model=gpt-4o"
        let globexKey = "globex-api/llm_spend/\(Self.windowStart)/model=gpt-4o-2024-08-06"
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, reader.rollups[acmeKey] == nil || reader.rollups[globexKey] == nil {
            reader.poll(for: .milliseconds(500))
        }
        // acme: its negotiated gpt-4o price, 2 × (1000 × 2 + 500 × 8) / 1e6; globex: the table's gpt-4o*.
        #expect(reader.rollups[acmeKey]?.value.value == 0.012, "\(reader.rollups.keys.sorted())\n\(run.stderr.suffix(2_000))")
        #expect(reader.rollups[acmeKey]?.value.eventCount == 2)
        #expect(reader.rollups[globexKey]?.value.value == 0.0075)
        #expect(reader.rollups.count == 2)
        #expect(reader.deadLetters.isEmpty)
        let port = try #require(PipelineCluster.httpPort(of: run))
        let metrics = try #require(MetricsScraper.fetch(port: port))
        #expect(metrics["meterd_unpriced_events_total{meter=\"llm_cost_usd\"}"] == 1)
        #expect(run.stderr.contains("no price for an LLM model"))
    }
}
