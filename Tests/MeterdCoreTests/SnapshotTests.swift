import Testing
import MeterdCore

@Suite struct SnapshotTests {
    typealias F = AggFixtures

    private func populated() -> PartitionAggregator {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        _ = aggregator.ingest(F.request(id: "a", at: 1_000, route: "chat"))
        _ = aggregator.ingest(F.tokenUse(id: "b", at: 2_000, tokens: 600))
        _ = aggregator.ingest(F.record(id: "c", at: 3_000, samples: [F.sample(F.users, .text("u1")), F.sample(F.price, .number(4))]))
        _ = aggregator.ingest(F.request(id: "p", at: 70_000, status: "500"))
        _ = aggregator.flush()
        _ = aggregator.ingest(F.request(id: "late", at: 4_000, route: "chat"))
        return aggregator
    }

    @Test func emptyAggregatorRoundTrips() throws {
        let empty = PartitionAggregator(configuration: F.configuration())
        let restored = try PartitionAggregator(configuration: F.configuration(), snapshot: empty.snapshot())
        #expect(restored.snapshot() == empty.snapshot())
        #expect(restored.streamTimeMillis == nil)
    }

    @Test func restoredAggregatorEmitsPendingLateRevision() throws {
        var original = populated()
        var restored = try PartitionAggregator(configuration: F.configuration(), snapshot: original.snapshot())
        let expected = original.flush()
        let replayed = restored.flush()
        #expect(replayed == expected)
        #expect(expected.only(feature: "ok_requests").first?.revision == 2)
        #expect(expected.only(feature: "ok_requests").first?.value == 2)
    }

    @Test func corruptOrTruncatedInputThrows() {
        let bytes = populated().snapshot()
        for length in [0, 1, bytes.count / 3, bytes.count / 2, bytes.count - 1] {
            #expect(throws: BinaryDecodingError.self) {
                try PartitionAggregator(configuration: F.configuration(), snapshot: Array(bytes.prefix(length)))
            }
        }
        #expect(throws: BinaryDecodingError.unsupportedVersion(9)) {
            try PartitionAggregator(configuration: F.configuration(), snapshot: [9] + bytes.dropFirst())
        }
        #expect(throws: BinaryDecodingError.self) {
            try PartitionAggregator(configuration: F.configuration(), snapshot: bytes + [0])
        }
    }

    @Test func randomBytesNeverCrash() {
        var rng = SeededGenerator(seed: 99)
        let bytes = populated().snapshot()
        for _ in 0..<300 {
            var mutated = bytes
            for _ in 0..<3 { mutated[Int.random(in: 1..<mutated.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            _ = try? PartitionAggregator(configuration: F.configuration(), snapshot: mutated)
        }
    }

    @Test func stateOfRemovedFeaturesIsDroppedOnRestore() throws {
        var config = F.configuration()
        config.features.removeAll { $0.key == "ok_requests" }
        config.features.reverse()
        var restored = try PartitionAggregator(configuration: config, snapshot: populated().snapshot())
        let rollups = restored.flush()
        #expect(rollups.only(feature: "ok_requests").isEmpty)
        #expect(rollups.only(feature: "requests_by_route").first?.value == 2, "features are matched by key, not position")
        #expect(restored.customers["acme"]?.quotas.count == 1, "the tokens quota survives, ok_requests' is dropped")
    }

    @Test func restoreReArmsTheIdleTimer() throws {
        var original = PartitionAggregator(configuration: F.configuration())
        _ = original.ingest(F.request(id: "a", at: 1_000))
        original.advance(wallClockMillis: 0)
        var restored = try PartitionAggregator(configuration: F.configuration(), snapshot: original.snapshot())
        // Down for a minute: the first advance after restore starts the idle timer.
        let first = restored.advance(wallClockMillis: 60_000)
        let second = restored.advance(wallClockMillis: 66_000)
        #expect(!first)
        #expect(second)
        #expect(restored.streamTimeMillis == 2_000)
    }

    @Test func stateChangesCarryChangedRecordsAndTombstones() throws {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        _ = aggregator.ingest(F.request("zeta", id: "a", at: 1_000))
        _ = aggregator.ingest(F.request("acme", id: "b", at: 1_000))
        let first = aggregator.takeStateChanges()
        #expect(first.records.count == 5, "per customer a window and a dedupe chunk, plus acme's quotas")
        #expect(first.records.allSatisfy { $0.value != nil })
        #expect(first.records.map(\.key) == first.records.map(\.key).sorted { $0.lexicographicallyPrecedes($1) })
        _ = aggregator.ingest(F.request("zeta", id: "a", at: 1_000))
        #expect(aggregator.takeStateChanges().records.isEmpty, "a duplicate changes no record")
        _ = aggregator.ingest(F.request("acme", id: "c", at: 190_000))
        _ = aggregator.flush()
        let expired = aggregator.takeStateChanges()
        let tombstones = Set(expired.records.filter { $0.value == nil }.map(\.key))
        #expect(tombstones.count == 4, "both customers' window 0: window record and dedupe chunk")
        #expect(tombstones == Set(first.records.filter { $0.key.first != UInt8(ascii: "Q") }.map(\.key)))
        var latest: [[UInt8]: [UInt8]] = [:]
        for record in first.records + expired.records { latest[record.key] = record.value }
        let restored = try PartitionAggregator(compiled: aggregator.compiled, header: expired.header, records: latest)
        #expect(restored.snapshot() == aggregator.snapshot())
    }

    @Test func inconsistentRecordsThrow() throws {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        for n in 0..<300 { _ = aggregator.ingest(F.request(id: "r\(n)", at: 1_000 + Int64(n))) }
        var full = aggregator
        full.markAllStateChanged()
        let changes = full.takeStateChanges()
        var records: [[UInt8]: [UInt8]] = [:]
        for record in changes.records { records[record.key] = record.value }
        #expect(records.count == 7, "window, five dedupe chunks (4 × 64 + 44), quotas")
        let restored = try PartitionAggregator(compiled: aggregator.compiled, header: changes.header, records: records)
        #expect(restored.snapshot() == aggregator.snapshot())
        let chunks = changes.records.filter { $0.key.first == UInt8(ascii: "D") }.map(\.key)
        let window = try #require(changes.records.first { $0.key.first == UInt8(ascii: "W") }?.key)
        for missing in [chunks[1], window] {
            var broken = records
            broken[missing] = nil
            #expect(throws: BinaryDecodingError.self) {
                try PartitionAggregator(compiled: aggregator.compiled, header: changes.header, records: broken)
            }
        }
        var unknown = records
        unknown[[0x5A, 0]] = [2]
        #expect(throws: BinaryDecodingError.self) {
            try PartitionAggregator(compiled: aggregator.compiled, header: changes.header, records: unknown)
        }
        var shortChunk = records
        shortChunk[chunks[0]] = records[chunks[chunks.count - 1]]
        #expect(throws: BinaryDecodingError.self) {
            try PartitionAggregator(compiled: aggregator.compiled, header: changes.header, records: shortChunk)
        }
    }
}
