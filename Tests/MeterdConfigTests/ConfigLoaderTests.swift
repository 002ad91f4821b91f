import MeterdConfig
import MeterdCore
import Testing

@Suite struct ConfigLoaderTests {
    @Test func sampleConfigurationLoadsClean() throws {
        let config = try ConfigLoader.load(contentsOfFile: ConfigTestSupport.repositoryRoot + "/meterd.yaml")
        #expect(config.meters.map(\.slug) == ["api_requests", "llm_prompt_tokens", "llm_completion_tokens", "llm_cost", "llm_cost_usd", "api_latency"])
        #expect(config.meters[4].cost == CostSelectors())
        #expect(config.prices.models.count == 4)
        #expect(config.meters[1].valueProperty == "$.ai.proxy.usage.prompt_tokens")
        #expect(config.features.first { $0.key == "successful_requests" }?.filter == ["status": ["200", "201", "204"]])
        #expect(Set(config.plans.keys) == ["free", "pro"])
        #expect(config.plans["free"]?.rules["successful_requests"] == QuotaRule(limit: 1000, period: .day, thresholds: [50, 80, 100], hard: true))
        #expect(config.customers.count == 3)
        #expect(config.customers.allSatisfy { $0.subjects.count >= 2 })
        #expect(config.windows == WindowSettings(sizeMillis: 60_000, graceMillis: 10_000, allowedLatenessMillis: 3_600_000, idleTimeoutMillis: 5_000))
        #expect(config.commitIntervalMillis == 100)
    }

    @Test(arguments: ["examples/minimal.yaml", "examples/cloudevents-llm.yaml"])
    func examplesLoadClean(path: String) throws {
        let outcome = ConfigLoader.check(yaml: try ConfigLoader.readText(atPath: ConfigTestSupport.repositoryRoot + "/" + path))
        #expect(outcome.problems == [])
    }

    @Test func unsetKeysTakeTheModelDefaults() throws {
        let config = try ConfigLoader.load(yaml: """
            meters: [{ slug: m, eventType: e, aggregation: COUNT }]
            features: [{ key: f, meter: m }]
            """)
        var expected = MeterdConfiguration()
        expected.meters = [MeterDefinition(slug: "m", eventType: "e", aggregation: .count)]
        expected.features = [FeatureDefinition(key: "f", meter: "m")]
        #expect(config == expected)
        #expect(config.kafka.inputTopics == ["gateway.usage"])
        #expect(config.kafka.mainThreadNice == 10)
        #expect(config.unknownSubjects == .passthrough)
        #expect(config.outputs == OutputTopics(rollups: "usage.rollups", quota: "usage.quota", dlq: "usage.dlq"))
    }

    @Test func otherKafkaKeysPassThroughVerbatimAsStrings() throws {
        let config = try ConfigLoader.load(yaml: ConfigTestSupport.document(head: """
            kafka:
              bootstrap: [b1:9092, b2:9092]
              inputTopics: [a, b]
              inputKeyedBySubject: false
              security.protocol: SASL_SSL
              session.timeout.ms: 45000
              enable.idempotence: true
              linger.ms: 5.5
              acks: all
            """))
        #expect(config.kafka.bootstrap == "b1:9092,b2:9092")
        #expect(config.kafka.inputTopics == ["a", "b"])
        #expect(!config.kafka.inputKeyedBySubject)
        #expect(config.kafka.properties == [
            "security.protocol": "SASL_SSL", "session.timeout.ms": "45000", "enable.idempotence": "true",
            "linger.ms": "5.5", "acks": "all",
        ])
    }

    /// `mainThreadNice` is meterd's, not a librdkafka property: it is read,
    /// checked against nice's range, and never passed to librdkafka.
    @Test func mainThreadNiceIsReadAndChecked() throws {
        let config = try ConfigLoader.load(yaml: ConfigTestSupport.document(
            head: "kafka: { bootstrap: \"localhost:9092\", inputTopics: [gateway.usage], mainThreadNice: 0 }"))
        #expect(config.kafka.mainThreadNice == 0)
        #expect(config.kafka.properties["mainThreadNice"] == nil)
        for bad in ["20", "-1"] {
            let yaml = ConfigTestSupport.document(head: "kafka:\n  bootstrap: \"localhost:9092\"\n  mainThreadNice: \(bad)")
            let problems = ConfigLoader.check(yaml: yaml, file: "test.yaml").problems
            #expect(problems.map(\.path) == ["kafka.mainThreadNice"])
            #expect(problems.first?.line == ConfigTestSupport.line(of: "mainThreadNice", in: yaml))
        }
        let misspelt = ConfigLoader.check(yaml: ConfigTestSupport.document(head: "kafka:\n  mainThreadnice: 5")).problems
        #expect(misspelt.first?.hint == "did you mean 'mainThreadNice'?")
    }

    @Test func nestedKafkaPropertyIsRefusedWithAFlatHint() throws {
        let yaml = ConfigTestSupport.document(head: "kafka:\n  security: { protocol: SSL }")
        let problems = ConfigLoader.check(yaml: yaml).problems
        #expect(problems.map(\.path) == ["kafka.security"])
        #expect(problems.first?.hint?.contains("security.protocol") == true)
    }

    @Test func filterValuesMayBeNumbersOrBooleansAndStayAsWritten() throws {
        let config = try ConfigLoader.load(yaml: ConfigTestSupport.document(features: """
            features:
              - key: requests
                meter: api_requests
                filter: { status: [200, "201", 1.50, true], route: checkout }
            """))
        #expect(config.features[0].filter == ["status": ["200", "201", "1.50", "true"], "route": ["checkout"]])
    }

    @Test func durationsAndOverridesAreRead() throws {
        let config = try ConfigLoader.load(yaml: ConfigTestSupport.document(
            head: "windows: { size: 5m, grace: 1500ms, allowedLateness: 1d, idleTimeout: 0 }\ncommitInterval: 1s\nmaxRecordBytes: 2048",
            customers: """
            customers:
              - key: acme
                subjects: [acme-web]
                plan: free
                overrides: { requests: { limit: 5000, thresholds: 90, hard: true } }
            """))
        #expect(config.windows == WindowSettings(sizeMillis: 300_000, graceMillis: 1_500, allowedLatenessMillis: 86_400_000, idleTimeoutMillis: 0))
        #expect(config.commitIntervalMillis == 1_000)
        #expect(config.maxRecordBytes == 2048)
        #expect(config.customers[0].overrides["requests"] == QuotaOverride(limit: 5000, thresholds: [90], hard: true))
        #expect(config.quotaRules(for: config.customers[0])["requests"] == QuotaRule(limit: 5000, period: .day, thresholds: [90], hard: true))
    }

    @Test func mergeKeysReuseAnchoredRulesAndOwnKeysWin() throws {
        let config = try ConfigLoader.load(yaml: ConfigTestSupport.document(plans: """
            plans:
              free: { requests: &base { limit: 100, period: day, thresholds: [80, 100] } }
              pro: { requests: { <<: *base, limit: 1000 } }
            """))
        #expect(config.plans["pro"]?.rules["requests"] == QuotaRule(limit: 1000, period: .day, thresholds: [80, 100]))
    }

    @Test func unreadableFileIsAClearError() {
        #expect(throws: ConfigLoadError.self) { try ConfigLoader.load(contentsOfFile: "/nonexistent/meterd.yaml") }
        guard case .invalid(let errors) = ValidationReport.verdict(forFile: "/nonexistent/meterd.yaml") else {
            Issue.record("expected invalid")
            return
        }
        #expect(errors == "/nonexistent/meterd.yaml: error: cannot read the configuration: no such file\n")
    }

    @Test func invalidDocumentThrowsEveryProblem() {
        let yaml = ConfigTestSupport.document(head: "appId: \"bad id\"\ncommitInterval: 0s")
        #expect {
            try ConfigLoader.load(yaml: yaml, file: "x.yaml")
        } throws: { error in
            guard case .invalid(let file, let problems) = error as? ConfigLoadError else { return false }
            return file == "x.yaml" && problems.map(\.path) == ["appId", "commitInterval"]
        }
    }
}
