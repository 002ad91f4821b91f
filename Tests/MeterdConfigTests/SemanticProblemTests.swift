import MeterdConfig
import MeterdCore
import Testing

/// Each semantic check, through the loader: the exact path and the line the
/// problem is placed on.
@Suite struct SemanticProblemTests {
    typealias Located = ConfigTestSupport.Located
    let line = ConfigTestSupport.line

    @Test func baseDocumentIsValid() {
        #expect(ConfigTestSupport.located(ConfigTestSupport.document()) == [])
    }

    @Test func duplicateMeterSlug() {
        let yaml = ConfigTestSupport.document(meters: """
            meters:
              - { slug: api_requests, eventType: kong.request, aggregation: COUNT, groupBy: { route: $.r, status: $.s } }
              - { slug: tokens, eventType: kong.request, aggregation: SUM, valueProperty: $.v, groupBy: { model: $.m } }
              - { slug: tokens, eventType: other, aggregation: COUNT }
            """)
        #expect(ConfigTestSupport.located(yaml) == [Located(path: "meters[2].slug", line: line("eventType: other", yaml))])
    }

    @Test func duplicateFeatureKey() {
        let yaml = ConfigTestSupport.document(features: """
            features:
              - { key: requests, meter: api_requests }
              - { key: requests, meter: tokens }
            """)
        #expect(ConfigTestSupport.located(yaml) == [Located(path: "features[1].key", line: line("meter: tokens", yaml))])
    }

    @Test func duplicateCustomerKeyAndSharedSubject() {
        let yaml = ConfigTestSupport.document(customers: """
            customers:
              - { key: acme, subjects: [acme-web] }
              - key: acme
                subjects:
                  - acme-api
                  - acme-web
            """)
        #expect(ConfigTestSupport.located(yaml) == [
            Located(path: "customers[1].key", line: line("- key: acme", yaml)),
            Located(path: "customers[1].subjects[1]", line: line("  - acme-web", yaml)),
        ])
    }

    @Test func unknownMeterInFeatureSuggestsTheNearest() {
        let yaml = ConfigTestSupport.document(features: "features:\n  - key: requests\n    meter: api_request\n")
        let problems = ConfigLoader.check(yaml: yaml).problems
        #expect(problems.map(\.path) == ["features[0].meter"])
        #expect(problems.first?.line == line("meter: api_request", yaml))
        #expect(problems.first?.column == 12)
        #expect(problems.first?.hint == "did you mean 'api_requests'?")
    }

    @Test func filterAndBreakdownMustNameGroupByDimensions() {
        let yaml = ConfigTestSupport.document(features: """
            features:
              - key: requests
                meter: api_requests
                filter:
                  code: ["200"]
              - key: llm_tokens
                meter: tokens
                breakdown: [model, provider]
            """)
        #expect(ConfigTestSupport.located(yaml) == [
            Located(path: "features[0].filter.code", line: line("code:", yaml)),
            Located(path: "features[1].breakdown[1]", line: line("breakdown:", yaml)),
        ])
    }

    @Test func badSelectorSyntax() {
        let yaml = ConfigTestSupport.document(meters: """
            meters:
              - slug: api_requests
                eventType: kong.request
                aggregation: COUNT
                groupBy: { route: "route.name", status: "$.response.status" }
              - slug: tokens
                eventType: kong.request
                aggregation: SUM
                valueProperty: "$.usage[total]"
                groupBy: { model: "$.m" }
            """)
        let problems = ConfigLoader.check(yaml: yaml).problems
        #expect(problems.map { Located(path: $0.path, line: $0.line ?? 0) } == [
            Located(path: "meters[0].groupBy.route", line: line("route.name", yaml)),
            Located(path: "meters[1].valueProperty", line: line("valueProperty", yaml)),
        ])
        #expect(problems.first?.message == "bad selector 'route.name': a selector starts with '$' at character 1")
    }

    @Test func valuePropertyRequiredButForCountAndRefusedForCount() {
        let yaml = ConfigTestSupport.document(meters: """
            meters:
              - slug: api_requests
                eventType: kong.request
                aggregation: COUNT
                valueProperty: "$.x"
                groupBy: { route: $.r, status: $.s }
              - slug: tokens
                eventType: kong.request
                aggregation: MAX
                groupBy: { model: $.m }
            """)
        #expect(ConfigTestSupport.located(yaml) == [
            Located(path: "meters[0].valueProperty", line: line("valueProperty", yaml)),
            Located(path: "meters[1].valueProperty", line: line("- slug: tokens", yaml)),
        ])
    }

    @Test func planReferencingUnknownFeatureAndNonQuotaMeter() {
        let yaml = ConfigTestSupport.document(
            meters: """
            meters:
              - { slug: api_requests, eventType: kong.request, aggregation: COUNT, groupBy: { route: $.r, status: $.s } }
              - { slug: tokens, eventType: kong.request, aggregation: AVG, valueProperty: $.v, groupBy: { model: $.m } }
            """,
            plans: """
            plans:
              free:
                requests: { limit: 100, period: day }
                llm_tokens: { limit: 100, period: day }
                request: { limit: 100, period: day }
            """)
        #expect(ConfigTestSupport.located(yaml) == [
            Located(path: "plans.free.llm_tokens", line: line("llm_tokens: { limit", yaml)),
            Located(path: "plans.free.request", line: line("request: { limit", yaml)),
        ])
    }

    @Test func limitAndThresholdsMustBePositive() {
        let yaml = ConfigTestSupport.document(plans: """
            plans:
              free:
                requests:
                  limit: 0
                  period: day
                  thresholds: [50, -1, 100, 50]
            """)
        #expect(ConfigTestSupport.located(yaml) == [
            Located(path: "plans.free.requests.limit", line: line("limit: 0", yaml)),
            Located(path: "plans.free.requests.thresholds[1]", line: line("thresholds", yaml)),
            Located(path: "plans.free.requests.thresholds[3]", line: line("thresholds", yaml)),
        ])
    }

    @Test func customerWithUnknownPlan() {
        let yaml = ConfigTestSupport.document(customers: "customers:\n  - key: acme\n    subjects: [a]\n    plan: gold\n")
        #expect(ConfigTestSupport.located(yaml) == [Located(path: "customers[0].plan", line: line("plan: gold", yaml))])
    }

    @Test func overrideOutsideThePlanMustBeACompleteRule() {
        let yaml = ConfigTestSupport.document(customers: """
            customers:
              - key: acme
                subjects: [a]
                plan: free
                overrides:
                  requests: { limit: 0 }
                  llm_tokens: { limit: 500 }
              - key: globex
                subjects: [g]
                plan: free
                overrides:
                  llm_tokens: { limit: 500, period: month }
                  unknown_feature: { limit: 1 }
            """)
        let problems = ConfigLoader.check(yaml: yaml).problems
        #expect(problems.map { Located(path: $0.path, line: $0.line ?? 0) } == [
            Located(path: "customers[0].overrides.requests.limit", line: line("requests: { limit: 0 }", yaml)),
            Located(path: "customers[0].overrides.llm_tokens", line: line("llm_tokens: { limit: 500 }", yaml)),
            Located(path: "customers[1].overrides.unknown_feature", line: line("unknown_feature", yaml)),
        ])
        #expect(problems[1].message == "plan 'free' does not cover 'llm_tokens', so this override adds a rule and needs period")
    }

    @Test func windowSizeMustDivideADayAndDurationsBeNonNegative() {
        let yaml = ConfigTestSupport.document(head: """
            windows:
              size: 7m
              grace: -1s
              allowedLateness: -1h
              idleTimeout: -5s
            commitInterval: 0ms
            """)
        #expect(ConfigTestSupport.located(yaml) == [
            Located(path: "windows.size", line: 2), Located(path: "windows.grace", line: 3),
            Located(path: "windows.allowedLateness", line: 4), Located(path: "windows.idleTimeout", line: 5),
            Located(path: "commitInterval", line: 6),
        ])
        #expect(ConfigTestSupport.located(ConfigTestSupport.document(head: "windows: { size: 0s }")) == [Located(path: "windows.size", line: 1)])
    }

    @Test func topicsAndAppIdMustBeLegalKafkaNames() {
        let yaml = ConfigTestSupport.document(head: """
            appId: "my app"
            kafka:
              inputTopics: []
            outputs:
              rollups: "usage/rollups"
              quota: gateway.usage
              dlq: meterd-changelog
            """)
        #expect(ConfigTestSupport.located(yaml) == [
            Located(path: "appId", line: 1), Located(path: "kafka.inputTopics", line: 3),
            Located(path: "outputs.rollups", line: 5),
        ])
        let clash = ConfigTestSupport.document(head: "outputs: { rollups: gateway.usage, quota: meterd-changelog, dlq: meterd-changelog }")
        #expect(ConfigTestSupport.located(clash).map(\.path) == ["outputs.rollups", "outputs.quota", "outputs.dlq"])
    }

    @Test func managedKafkaPropertiesAreRefused() {
        let yaml = ConfigTestSupport.document(head: "kafka:\n  inputTopics: [in]\n  group.id: mine\n  enable.auto.commit: true\n")
        #expect(ConfigTestSupport.located(yaml) == [
            Located(path: "kafka[\"group.id\"]", line: 3), Located(path: "kafka[\"enable.auto.commit\"]", line: 4),
        ])
    }

    @Test func problemsAreSortedByLineAndCarryTheFile() {
        let yaml = ConfigTestSupport.document(head: "commitInterval: 0s\nappId: \"x y\"")
        let problems = ConfigLoader.check(yaml: yaml, file: "conf/meterd.yaml").problems
        #expect(problems.map(\.line) == [1, 2])
        #expect(problems.allSatisfy { $0.file == "conf/meterd.yaml" })
    }
}

/// `inputKeyedBySubject` skips the repartition hop, which is right only if a
/// customer's usage stays in one input partition.
@Suite struct InputKeyedBySubjectTests {
    @Test func customersWithSeveralSubjectsAreRefused() {
        let yaml = ConfigTestSupport.document(head: "kafka: { bootstrap: \"localhost:9092\", inputTopics: [gateway.usage], inputKeyedBySubject: true }")
        let located = ConfigTestSupport.located(yaml)
        #expect(located.map(\.path) == ["customers[0].subjects"])
        #expect(located.first?.line == ConfigTestSupport.line(of: "subjects: [acme-web, acme-mobile]", in: yaml))
    }

    @Test func severalInputTopicsAreRefused() {
        let yaml = ConfigTestSupport.document(
            head: "kafka: { bootstrap: \"localhost:9092\", inputTopics: [a, b], inputKeyedBySubject: true }",
            customers: "customers:\n  - { key: acme, subjects: [acme-web] }"
        )
        #expect(ConfigTestSupport.located(yaml).map(\.path) == ["kafka.inputKeyedBySubject"])
    }

    @Test func oneSubjectPerCustomerIsAccepted() {
        let yaml = ConfigTestSupport.document(
            head: "kafka: { bootstrap: \"localhost:9092\", inputTopics: [gateway.usage], inputKeyedBySubject: true }",
            customers: "customers:\n  - { key: acme, subjects: [acme-web] }"
        )
        #expect(ConfigTestSupport.located(yaml) == [])
    }
}
