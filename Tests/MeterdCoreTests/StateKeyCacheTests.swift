import Testing
@testable import MeterdCore

/// The changelog keys kept between commits (a window's record and dedupe
/// chunk keys, a customer's quota key) must be the keys `StateKey` gives for
/// what is written now: the right chunk after a chunk fills, the right
/// customer and window.
@Suite struct StateKeyCacheTests {
    typealias F = AggFixtures

    @Test func theCacheGivesTheKeyOfTheChunkAskedFor() {
        var cache = WindowKeyCache()
        for chunk in [0, 0, 1, 1, 0, 7, 2, 2] {
            #expect(cache.dedupeChunk(customer: "acme/x", windowStart: -60_000, chunk: chunk)
                == StateKey.dedupeChunk(customer: "acme/x", windowStart: -60_000, chunk: chunk).bytes)
            #expect(cache.window(customer: "acme/x", windowStart: -60_000) == StateKey.window(customer: "acme/x", windowStart: -60_000).bytes)
        }
    }

    @Test func everyCommitWritesTheKeysOfWhatChanged() throws {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        let windowStart: Int64 = 0
        var written = 0
        // 300 events in one window per customer, committed every 1 to 13 events:
        // chunks fill (64 fingerprints) between and within commits.
        var n = 0
        var step = 1
        while n < 300 {
            let batch = n..<min(300, n + step)
            for m in batch {
                for customer in ["acme", "ü%=/"] { _ = aggregator.ingest(F.request(customer, id: "r\(m)", at: windowStart + 1_000 + Int64(m))) }
            }
            let changes = aggregator.takeStateChanges()
            for customer in ["acme", "ü%=/"] {
                let keys = Set(changes.records.map(\.key))
                #expect(keys.contains(StateKey.window(customer: customer, windowStart: windowStart).bytes))
                let expectedChunks = Set((written / 64)...((batch.upperBound - 1) / 64))
                let chunks = try Set(changes.records.compactMap { record -> Int? in
                    guard case .dedupeChunk(customer, windowStart, let chunk) = try StateKey(parsing: record.key) else { return nil }
                    return chunk
                })
                #expect(chunks == expectedChunks, "events \(batch)")
                for chunk in expectedChunks {
                    #expect(keys.contains(StateKey.dedupeChunk(customer: customer, windowStart: windowStart, chunk: chunk).bytes))
                }
            }
            written = batch.upperBound
            n = batch.upperBound
            step = step % 13 + 1
        }
        #expect(written == 300)
    }

    @Test func aQuotaKeyNamesItsCustomer() throws {
        var aggregator = PartitionAggregator(configuration: PropertySupport.configuration())
        var rng = SeededGenerator(seed: 5)
        var quotaRecords = 0
        // Only acme and globex have quota rules; the others write no quota record.
        let customers = ["acme", "zeta", "globex", "ü%=/", "acme", "ac", "globex"]
        for (n, customer) in (0..<70).map({ ($0, customers[$0 % customers.count]) }) {
            _ = aggregator.ingest(PropertySupport.randomRecord(customer, id: "q\(n)", at: PropertySupport.start + Int64(n), using: &rng))
            for record in aggregator.takeStateChanges().records {
                guard case .quotas(let named) = try StateKey(parsing: record.key) else { continue }
                #expect(named == customer)
                #expect(record.key == StateKey.quotas(customer: customer).bytes)
                quotaRecords += 1
            }
        }
        #expect(quotaRecords >= 10)
    }
}
