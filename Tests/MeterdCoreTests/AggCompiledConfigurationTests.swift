import Testing
import MeterdCore

@Suite struct AggCompiledConfigurationTests {
    let compiled = CompiledConfiguration(AggFixtures.configuration())

    @Test func filterMatchesListedValuesOnly() throws {
        let ok = try #require(compiled.featureIndexByKey["ok_requests"])
        let feature = compiled.features[ok]
        #expect(feature.matches(["chat", "200"]))
        #expect(feature.matches(["chat", "201"]))
        #expect(!feature.matches(["chat", "500"]))
        #expect(!feature.matches(["chat", nil]), "a filter on a missing dimension does not match")
    }

    @Test func filterOnDimensionTheMeterLacksNeverMatches() {
        var config = AggFixtures.configuration()
        config.features = [FeatureDefinition(key: "f", meter: "api_requests", filter: ["region": ["eu"]])]
        let feature = CompiledConfiguration(config).features[0]
        #expect(!feature.matches(["chat", "200"]))
    }

    @Test func breakdownIsSortedByRawNameAndResolvesIndexes() throws {
        let index = try #require(compiled.featureIndexByKey["requests_by_route"])
        let feature = compiled.features[index]
        #expect(feature.breakdownNames == ["route", "status"])
        #expect(feature.breakdown(of: ["chat", nil]) == ["chat", nil])
        var config = AggFixtures.configuration()
        config.features = [FeatureDefinition(key: "f", meter: "api_requests", breakdown: ["status", "Zone", "route"])]
        let other = CompiledConfiguration(config).features[0]
        #expect(other.breakdownNames == ["Zone", "route", "status"])
        #expect(other.breakdown(of: ["chat", "200"]) == [nil, "chat", "200"])
    }

    @Test func quotaRulesMergePlanAndOverrides() throws {
        let tokens = try #require(compiled.featureIndexByKey["tokens"])
        let ok = try #require(compiled.featureIndexByKey["ok_requests"])
        let acme = compiled.quotaRules(forCustomer: "acme")
        #expect(acme[tokens]?.limit == 500)
        #expect(acme[tokens]?.period == .month)
        #expect(acme[ok]?.thresholds == [50, 80, 100, 150])
        #expect(acme[ok]?.hard == true)
        #expect(compiled.quotaRules(forCustomer: "globex")[tokens]?.limit == 1000)
        #expect(compiled.quotaRules(forCustomer: "someone-passing-through").isEmpty)
    }

    @Test func quotaRulesOnlyForSumAndCount() {
        var config = AggFixtures.configuration()
        config.plans["free"]?.rules["latency_avg"] = QuotaRule(limit: 5, period: .hour)
        let compiled = CompiledConfiguration(config)
        #expect(compiled.quotaRules(forCustomer: "acme").count == 2)
    }

    @Test func validateRejectsUnusableSamples() {
        func check(_ sample: MeterSample) -> RejectReason? {
            compiled.validate(AggFixtures.record(id: "x", at: 0, samples: [sample]))
        }
        #expect(check(MeterSample(meterIndex: AggFixtures.tokens, value: .number(-1), dimensions: [nil])) == .invalidValue)
        #expect(check(MeterSample(meterIndex: AggFixtures.tokens, value: .number(.infinity), dimensions: [nil])) == .invalidValue)
        #expect(check(MeterSample(meterIndex: AggFixtures.tokens, value: .text("3"), dimensions: [nil])) == .invalidValue)
        #expect(check(MeterSample(meterIndex: AggFixtures.tokens, value: .number(3), dimensions: [])) == .invalidValue)
        #expect(check(MeterSample(meterIndex: 99, value: .none, dimensions: [])) == .invalidValue)
        #expect(check(AggFixtures.sample(AggFixtures.latencyMin, .number(-3))) == nil)
        #expect(check(MeterSample(meterIndex: AggFixtures.tokens, value: .number(3), dimensions: [nil])) == nil)
        let twice = AggFixtures.record(id: "x", at: 0, samples: [AggFixtures.sample(AggFixtures.users, .text("a")), AggFixtures.sample(AggFixtures.users, .text("b"))])
        #expect(compiled.validate(twice) == .invalidValue)
    }

    @Test func invalidRecordsAreRejectedWithoutSideEffects() {
        var aggregator = PartitionAggregator(configuration: AggFixtures.configuration())
        let bad = AggFixtures.record(id: "x", at: 5_000, samples: [
            AggFixtures.sample(AggFixtures.users, .text("a")),
            MeterSample(meterIndex: AggFixtures.tokens, value: .number(-1), dimensions: [nil]),
        ])
        let r1 = aggregator.ingest(bad)
        #expect(r1 == .rejected(.invalidValue))
        #expect(aggregator.streamTimeMillis == nil)
        #expect(aggregator.customers.isEmpty)
    }
}
