import MeterdCore
import Testing

/// `extract(…, into:)`, which stage 1 calls with one record for a whole
/// stream (overwriting its fields and reusing its sample and dimension
/// arrays), against extracting each record afresh: the same usage, the same
/// rejection and the same unpriced readings, record after record, whatever
/// the previous record left behind.
@Suite struct InputReusedRecordTests {
    /// Meters with 0, 1, 2 and 3 groupBy values, a cost meter and a
    /// UNIQUE_COUNT, so consecutive records leave samples of every shape.
    static let meters = [
        InputFixtures.apiRequests,
        InputFixtures.promptTokens,
        CostFixtures.costMeter,
        MeterDefinition(slug: "plain_count", eventType: "kong.request", aggregation: .count),
        MeterDefinition(
            slug: "distinct_routes", eventType: "kong.request", aggregation: .uniqueCount, valueProperty: "$.route.name",
            groupBy: ["method": "$.request.method", "status": "$.response.status", "model": "$.ai.proxy.meta.response_model"]
        ),
    ]

    static func extractor() -> UsageExtractor? {
        CostFixtures.extractor(CostFixtures.configuration(meters: meters))
    }

    /// A Kong record with AI usage: priced, unpriced or without tokens, by `choice`.
    static func costRecord(_ choice: UInt64, index: Int) -> [UInt8] {
        let subjects = ["acme-web", "globex-api", "initech-portal", "stranger"]
        let models = [#""gpt-4o""#, #""gpt-4o-mini""#, #""o1-preview""#, #""unknown-model""#, "7"]
        let json = CostFixtures.kong(
            subject: subjects[Int(choice % 4)], model: models[Int(choice / 4 % 5)],
            prompt: choice % 7 == 0 ? nil : "\(choice % 5_000)", completion: choice % 11 == 0 ? nil : "\(choice % 900)",
            id: "cost-\(index)"
        )
        return Array(json.utf8)
    }

    @Test("30,000 hostile and AI records into one reused record: each equals a fresh extraction")
    func reusedRecordEqualsFresh() throws {
        let extractor = try #require(Self.extractor())
        var generator = HostileRecordGenerator(seed: 0x5EED_2E05)
        var random = SeededGenerator(seed: 0xC057)
        var cache = UsageExtractor.TextCache()
        var record = UsageRecord.empty
        var mismatches: [String] = []
        var usages = 0
        for index in 0..<30_000 {
            let choice = random.next()
            let bytes: [UInt8]
            let headers: [RecordHeader]
            if choice % 3 == 0 {
                bytes = Self.costRecord(choice >> 8, index: index)
                headers = []
            } else {
                let hostile = generator.next()
                bytes = hostile.bytes
                headers = hostile.headers
            }
            var freshUnpriced: [UnpricedUsage] = []
            let fresh = bytes.withUnsafeBytes {
                extractor.extract(value: $0, headers: headers, recordTimestampMillis: 7, unpriced: &freshUnpriced)
            }
            var reusedUnpriced: [UnpricedUsage] = []
            let rejection = bytes.withUnsafeBytes {
                extractor.extract(
                    value: $0, headers: headers, recordTimestampMillis: 7, unpriced: &reusedUnpriced, cache: &cache, into: &record
                )
            }
            let problem: String? = switch (fresh, rejection) {
            case (.usage(let usage), nil):
                usage == record ? nil : "usage differs: fresh \(usage), reused \(record)"
            case (.rejected(let reason, let detail), let rejection?):
                rejection.reason == reason && rejection.detail == detail
                    ? nil : "fresh rejects \(reason.rawValue) (\(detail)), reused \(rejection.reason.rawValue) (\(rejection.detail))"
            default:
                "fresh \(fresh), reused rejection \(String(describing: rejection))"
            }
            if fresh.usage != nil { usages += 1 }
            if let problem, mismatches.count < 10 { mismatches.append("#\(index): \(problem)") }
            if freshUnpriced != reusedUnpriced, mismatches.count < 10 {
                mismatches.append("#\(index): unpriced \(freshUnpriced) vs \(reusedUnpriced)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        #expect(usages > 10_000, "enough usable records to compare: \(usages)")
    }

    @Test("a record the caller kept is not changed by the next extraction into the same variable")
    func keptRecordStaysAsItWas() throws {
        let extractor = try #require(Self.extractor())
        var cache = UsageExtractor.TextCache()
        var record = UsageRecord.empty
        var kept: [UsageRecord] = []
        var fresh: [UsageRecord] = []
        for index in 0..<200 {
            let bytes = Self.costRecord(UInt64(index) &* 2_654_435_761, index: index)
            var unpriced: [UnpricedUsage] = []
            fresh.append(bytes.withUnsafeBytes {
                extractor.extract(value: $0, headers: [], recordTimestampMillis: 7, unpriced: &unpriced)
            }.usage ?? .empty)
            let rejection = bytes.withUnsafeBytes {
                extractor.extract(value: $0, headers: [], recordTimestampMillis: 7, unpriced: &unpriced, cache: &cache, into: &record)
            }
            kept.append(rejection == nil ? record : .empty)
        }
        let differing = kept.indices.filter { kept[$0] != fresh[$0] }
        #expect(kept.count == fresh.count && differing.isEmpty, "records changed afterwards: \(differing)")
        #expect(Set(kept.map(\.samples.count)).count >= 2, "records of several shapes")
    }
}
