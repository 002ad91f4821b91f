@testable import MeterdCore
import Testing

/// `UsageExtractor.TextCache` (groupBy strings built once per thread) and the
/// bitwise subject check of `RollupGroupState.insert`: faster, never different.
@Suite struct TextCacheTests {
    @Test("20,000 hostile records through one shared cache give exactly what they give without one")
    func sameResultsWithAndWithoutCache() throws {
        let extractor = try #require(InputFixtures.extractor(maxRecordBytes: HostileRecordGenerator.maxRecordBytes))
        var generator = HostileRecordGenerator(seed: 0x7E_C7CA)
        var cache = UsageExtractor.TextCache()
        var usages = 0
        for index in 0..<20_000 {
            let record = generator.next()
            var unpriced: [UnpricedUsage] = []
            let cached = record.bytes.withUnsafeBytes {
                extractor.extract(value: $0, headers: record.headers, recordTimestampMillis: record.timestamp, unpriced: &unpriced, cache: &cache)
            }
            let plain = extractor.extract(value: record.bytes, headers: record.headers, recordTimestampMillis: record.timestamp)
            #expect(cached == plain, "record \(index) (\(record.kind))")
            if cached.usage != nil { usages += 1 }
        }
        #expect(usages > 1_000, "enough records carried usage to compare dimensions")
    }

    @Test("a groupBy value seen again is the string built the first time; escaped and long values are still right")
    func repeatedValuesShareOneString() throws {
        let extractor = try #require(InputFixtures.extractor())
        var cache = UsageExtractor.TextCache()
        func dimensions(model: String) throws -> [String?] {
            let json = InputFixtures.kong(extra: #""ai":{"# + InputFixtures.aiBlock(model: model) + "}")
            var unpriced: [UnpricedUsage] = []
            let result = Array(json.utf8).withUnsafeBytes {
                extractor.extract(value: $0, headers: [], recordTimestampMillis: 0, unpriced: &unpriced, cache: &cache)
            }
            let usage = try #require(result.usage)
            return try #require(usage.samples.first { $0.meterIndex == 1 }).dimensions
        }
        // 17 bytes: a heap-allocated String, so sharing is visible as the same storage.
        let first = try dimensions(model: #""gpt-4o-2024-08-06""#)
        let second = try dimensions(model: #""gpt-4o-2024-08-06""#)
        #expect(first == second)
        let (a, b) = (try #require(first[0]), try #require(second[0]))
        #expect(RollupGroupState.sameRepresentation(a, b), "the second record reused the first one's string")
        #expect(try dimensions(model: #""gpt-4o-2024-08\u002d06""#)[0] == "gpt-4o-2024-08-06", "escapes are decoded, not cached by raw bytes")
        let long = String(repeating: "m", count: 40)
        #expect(try dimensions(model: "\"\(long)\"")[0] == long, "longer than the cache's 32 bytes")
        #expect(try dimensions(model: #""gpt-4o-2024-08-07""#)[0] == "gpt-4o-2024-08-07")
    }

    @Test("subjects equal in content but not in representation are still one subject, sorted")
    func subjectInsertByContent() {
        // Built at run time twice: two storage objects with the same bytes.
        let long1 = String(decoding: Array("team-with-a-long-gateway-name-1".utf8), as: UTF8.self)
        let long1Copy = String(decoding: Array("team-with-a-long-gateway-name-1".utf8), as: UTF8.self)
        #expect(!RollupGroupState.sameRepresentation(long1, long1Copy))
        var list: [String] = []
        for subject in ["team-b", long1, "team-a", long1Copy, "team-b", "team-a", "team-c", long1] {
            RollupGroupState.insert(subject, into: &list)
        }
        #expect(list == ["team-a", "team-b", "team-c", long1])
        #expect(RollupGroupState.sameRepresentation("team-a", String(decoding: Array("team-a".utf8), as: UTF8.self)),
                "small strings with the same bytes have the same representation")
    }
}
