import MeterdCore
import Testing

/// The pure helpers behind the checks: paths, suggestions, topic names, quota rule resolution.
@Suite struct ConfigModelHelpersTests {
    @Test func pathsQuoteNamesThatAreNotPlain() {
        let path = ConfigPath.root.key("kafka").key("security.protocol")
        #expect(path.description == "kafka[\"security.protocol\"]")
        #expect(ConfigPath.root.key("features").index(1).key("meter").description == "features[1].meter")
        #expect(ConfigPath.root.key("a\"b").description == "[\"a\\\"b\"]")
        #expect(path.parent == ConfigPath.root.key("kafka"))
    }

    @Test func withinComparesWholeSteps() {
        let meters1 = ConfigPath.root.key("meters").index(1)
        #expect(meters1.key("slug").isWithin(meters1))
        #expect(!ConfigPath.root.key("meters").index(10).isWithin(meters1))
        #expect(!ConfigPath.root.key("metersX").isWithin(ConfigPath.root.key("meters")))
    }

    @Test func nearestNameOnlyForPlausibleTypos() {
        #expect(NameSuggestion.nearest(to: "agregation", among: ["aggregation", "slug"]) == "aggregation")
        #expect(NameSuggestion.nearest(to: "sum", among: ["SUM", "COUNT"]) == "SUM")
        #expect(NameSuggestion.nearest(to: "zzz", among: ["SUM", "COUNT"]) == nil)
    }

    @Test(arguments: [("usage.rollups", true), ("a-b_c.D9", true), ("", false), (".", false), ("..", false),
                      ("has space", false), ("slash/x", false), (String(repeating: "a", count: 249), true),
                      (String(repeating: "a", count: 250), false)])
    func topicNameLegality(name: String, legal: Bool) {
        #expect(ConfigValidation.isLegalTopicName(name) == legal)
    }

    @Test func quotaRulesApplyOverridesAndAddCompleteOnes() {
        var config = MeterdConfiguration()
        config.plans = ["free": Plan(name: "free", rules: ["a": QuotaRule(limit: 10, period: .day, thresholds: [80, 100], hard: true)])]
        let customer = CustomerDefinition(key: "c", subjects: ["s"], plan: "free", overrides: [
            "a": QuotaOverride(limit: 20),
            "b": QuotaOverride(limit: 5, period: .month),
            "c": QuotaOverride(limit: 5),
        ])
        #expect(config.quotaRules(for: customer) == [
            "a": QuotaRule(limit: 20, period: .day, thresholds: [80, 100], hard: true),
            "b": QuotaRule(limit: 5, period: .month, thresholds: [100], hard: false),
        ])
    }

    @Test func validationOfAProgrammaticConfigurationNeedsNoYaml() {
        var config = MeterdConfiguration()
        config.meters = [MeterDefinition(slug: "m", eventType: "e", aggregation: .sum)]
        config.features = [FeatureDefinition(key: "f", meter: "m")]
        config.maxRecordBytes = 0
        #expect(ConfigValidation.problems(in: config).map(\.path) == ["maxRecordBytes", "meters[0].valueProperty"])
    }
}
