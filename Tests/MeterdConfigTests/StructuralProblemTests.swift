import MeterdConfig
import MeterdCore
import Testing

/// Problems found while reading the YAML tree: syntax, keys, types.
@Suite struct StructuralProblemTests {
    typealias Located = ConfigTestSupport.Located

    @Test func unknownKeyNamesTheNearestKnownKey() {
        let yaml = ConfigTestSupport.document(meters: """
            meters:
              - slug: api_requests
                eventType: kong.request
                agregation: COUNT
            """)
        let problems = ConfigLoader.check(yaml: yaml).problems
        let unknown = problems.first { $0.path == "meters[0].agregation" }
        #expect(unknown?.message == "unknown key 'agregation'")
        #expect(unknown?.hint == "did you mean 'aggregation'?")
        #expect(unknown?.line == ConfigTestSupport.line(of: "agregation", in: yaml))
        #expect(unknown?.column == 5)
        // The aggregation is then missing, reported where the meter starts.
        #expect(problems.contains { $0.path == "meters[0].aggregation" && $0.line == ConfigTestSupport.line(of: "slug: api_requests", in: yaml) })
    }

    @Test func unknownTopLevelKeyAndMisspeltKafkaKey() {
        let yaml = "kafka: { bootstrp: \"h:1\" }\nmetres: []\nfeatures: [{ key: f, meter: m }]\nmeters: [{ slug: m, eventType: e, aggregation: COUNT }]\n"
        #expect(ConfigTestSupport.located(yaml) == [Located(path: "kafka.bootstrp", line: 1), Located(path: "metres", line: 2)])
        #expect(ConfigLoader.check(yaml: yaml).problems.map(\.hint) == ["did you mean 'bootstrap'?", "did you mean 'meters'?"])
    }

    @Test func wrongTypesAreReportedWhereTheValueIs() {
        let yaml = ConfigTestSupport.document(
            head: "kafka: { inputKeyedBySubject: maybe }\nwindows: [1m]\nmaxRecordBytes: 1.5",
            plans: "plans:\n  free: { requests: { limit: \"100\", period: day } }"
        )
        let problems = ConfigLoader.check(yaml: yaml).problems
        #expect(problems.map(\.path) == ["kafka.inputKeyedBySubject", "windows", "maxRecordBytes", "plans.free.requests.limit"])
        #expect(problems[0].message == "expected true or false, found 'maybe'")
        #expect(problems[1].message == "expected a mapping, found a list")
        #expect(problems[3].hint == "remove the quotes")
        #expect(problems.map { $0.line ?? 0 } == [1, 2, 3, ConfigTestSupport.line(of: "free:", in: yaml)])
    }

    @Test func unknownAggregationPeriodAndPolicy() {
        let yaml = ConfigTestSupport.document(
            head: "unknownSubjects: ignore",
            plans: "plans:\n  free: { requests: { limit: 100, period: daily } }"
        )
        let problems = ConfigLoader.check(yaml: yaml).problems
        #expect(problems.map(\.path) == ["unknownSubjects", "plans.free.requests.period"])
        #expect(problems[0].hint == "one of passthrough, reject")
        let aggregation = ConfigLoader.check(yaml: ConfigTestSupport.document(meters: """
            meters:
              - { slug: api_requests, eventType: kong.request, aggregation: COUNT, groupBy: { route: $.r, status: $.s } }
              - { slug: tokens, eventType: kong.request, aggregation: SUMM, valueProperty: $.v, groupBy: { model: $.m } }
            """)).problems
        #expect(aggregation.map(\.path) == ["meters[1].aggregation"])
        #expect(aggregation.first?.hint == "did you mean 'SUM'?")
    }

    @Test func missingRequiredKeysDoNotCascade() {
        let yaml = ConfigTestSupport.document(features: """
            features:
              - key: requests
              - meter: tokens
            """)
        #expect(ConfigTestSupport.located(yaml) == [
            Located(path: "features[0].meter", line: ConfigTestSupport.line(of: "- key: requests", in: yaml)),
            Located(path: "features[1].key", line: ConfigTestSupport.line(of: "- meter: tokens", in: yaml)),
        ])
    }

    @Test func brokenItemKeepsLaterItemsAtTheirDocumentIndex() {
        let yaml = ConfigTestSupport.document(features: """
            features:
              - just a string
              - key: requests
                meter: api_requests
              - key: requests
                meter: api_requests
            """)
        #expect(ConfigTestSupport.located(yaml) == [
            Located(path: "features[0]", line: ConfigTestSupport.line(of: "just a string", in: yaml)),
            Located(path: "features[2].key", line: ConfigTestSupport.line(of: "key: requests", in: yaml) + 2),
        ])
    }

    @Test func yamlSyntaxErrorHasItsLine() {
        let problems = ConfigLoader.check(yaml: "appId: meterd\nmeters: [\n  { slug: a\n").problems
        #expect(problems.count == 1)
        #expect(problems.first?.message.hasPrefix("invalid YAML:") == true)
        #expect((problems.first?.line ?? 0) >= 3)
    }

    @Test func duplicateYamlKeyIsOneProblem() {
        let problems = ConfigLoader.check(yaml: "appId: a\nappId: b\n").problems
        #expect(problems.map(\.message) == ["duplicate key 'appId' in one mapping"])
    }

    @Test func emptyDocumentLacksFeatures() {
        #expect(ConfigTestSupport.located("") == [Located(path: "features", line: 1)])
    }
}
