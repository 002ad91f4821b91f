import Testing
@testable import MeterdCore

@Suite struct StateChangeTests {
    typealias F = AggFixtures
    static let longLateness = WindowSettings(sizeMillis: 60_000, graceMillis: 10_000, allowedLatenessMillis: 86_400_000, idleTimeoutMillis: 5_000)

    /// An aggregator holding `windows` windows of `idsPerWindow` events each, flushed and with its changes taken.
    private func warm(windows: Int, idsPerWindow: Int) -> PartitionAggregator {
        var aggregator = PartitionAggregator(configuration: F.configuration(windows: Self.longLateness))
        for window in 0..<windows {
            for n in 0..<idsPerWindow {
                _ = aggregator.ingest(F.request(id: "w\(window)-\(n)", at: Int64(window) * F.minute + Int64(n), route: n % 3 == 0 ? "chat" : "embed"))
            }
            _ = aggregator.flush()
        }
        _ = aggregator.takeStateChanges()
        return aggregator
    }

    private func size(_ changes: AggregatorStateChanges) -> Int {
        changes.records.reduce(changes.header.count) { $0 + $1.key.count + ($1.value?.count ?? 0) }
    }

    private func kinds(_ changes: AggregatorStateChanges) throws -> [StateKey] {
        try changes.records.map { try StateKey(parsing: $0.key) }
    }

    @Test func oneMoreEventCostsTheSameWhateverTheStateSize() throws {
        var small = warm(windows: 2, idsPerWindow: 5)
        var large = warm(windows: 60, idsPerWindow: 1_000)
        #expect(large.stateSize.dedupeEntries == 60_000)
        let latest = 59 * F.minute + 59_000
        for (label, time) in [("current window", latest), ("old, emitted window", 5 * F.minute + 30_000)] {
            _ = small.ingest(F.request(id: "one-more-\(label)", at: time))
            _ = large.ingest(F.request(id: "one-more-\(label)", at: time))
            let smallChanges = small.takeStateChanges()
            let largeChanges = large.takeStateChanges()
            #expect(largeChanges.records.count == 3, "window, one dedupe chunk, quotas (\(label))")
            #expect(smallChanges.records.count == 3)
            // A window record of two groups, at most one full chunk of 16-byte fingerprints, a quota record.
            #expect(size(largeChanges) < 600 + 16 * StateKey.chunkCapacity, "\(label)")
            #expect(size(largeChanges) < size(smallChanges) + 16 * StateKey.chunkCapacity)
        }
        var full = large
        full.markAllStateChanged()
        #expect(size(full.takeStateChanges()) > 60_000 * 16, "a full refresh carries every fingerprint")
    }

    @Test func aFilledChunkIsNotRewritten() throws {
        let capacity = StateKey.chunkCapacity
        var aggregator = PartitionAggregator(configuration: F.configuration())
        for n in 0..<(capacity + 20) { _ = aggregator.ingest(F.request(id: "r\(n)", at: 1_000)) }
        let first = try kinds(aggregator.takeStateChanges())
        #expect(first.contains(.dedupeChunk(customer: "acme", windowStart: 0, chunk: 0)))
        #expect(first.contains(.dedupeChunk(customer: "acme", windowStart: 0, chunk: 1)))
        for n in (capacity + 20)..<(2 * capacity + 1) { _ = aggregator.ingest(F.request(id: "r\(n)", at: 1_000)) }
        let second = try kinds(aggregator.takeStateChanges())
        #expect(second.filter { if case .dedupeChunk = $0 { true } else { false } } == [
            .dedupeChunk(customer: "acme", windowStart: 0, chunk: 1), .dedupeChunk(customer: "acme", windowStart: 0, chunk: 2),
        ])
        _ = aggregator.ingest(F.record(id: "no-feature", at: 2_000, samples: []))
        #expect(try kinds(aggregator.takeStateChanges()) == [.dedupeChunk(customer: "acme", windowStart: 0, chunk: 2)],
                "an event matching no feature adds only its fingerprint")
    }

    @Test func expiryTombstonesTheWindowAndEveryChunk() throws {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        for n in 0..<300 { _ = aggregator.ingest(F.request("zeta", id: "r\(n)", at: 1_000)) }
        _ = aggregator.takeStateChanges()
        _ = aggregator.ingest(F.request("zeta", id: "pacer", at: 190_000))
        _ = aggregator.flush()
        let changes = aggregator.takeStateChanges()
        let tombstones = try changes.records.filter { $0.value == nil }.map { try StateKey(parsing: $0.key) }
        let chunks = (0..<((300 + StateKey.chunkCapacity - 1) / StateKey.chunkCapacity)).map {
            StateKey.dedupeChunk(customer: "zeta", windowStart: 0, chunk: $0)
        }
        #expect(chunks.count > 2)
        #expect(Set(tombstones) == Set([.window(customer: "zeta", windowStart: 0)] + chunks))
    }

    @Test func keysRoundTripAndOrderByTime() throws {
        let keys: [StateKey] = [
            .window(customer: "a", windowStart: -60_000), .window(customer: "a", windowStart: 0),
            .window(customer: "a", windowStart: 60_000), .dedupeChunk(customer: "a/b", windowStart: .min, chunk: 70_000),
            .quotas(customer: "ü"), .quotas(customer: ""),
        ]
        for key in keys { #expect(try StateKey(parsing: key.bytes) == key) }
        #expect(keys[0].bytes.lexicographicallyPrecedes(keys[1].bytes))
        #expect(keys[1].bytes.lexicographicallyPrecedes(keys[2].bytes))
        #expect(throws: BinaryDecodingError.self) { try StateKey(parsing: keys[0].bytes + [0]) }
        #expect(throws: BinaryDecodingError.self) { try StateKey(parsing: Array(keys[3].bytes.dropLast())) }
    }
}

@Suite struct DedupeFingerprintTests {
    @Test func isStableAcrossVersions() {
        // Part of the state format: a change here invalidates stored dedupe entries.
        let fingerprint = DedupeFingerprint(source: "kong", id: "7c9e6679-7425-40de-944b-e07fc1f90ae7")
        #expect(fingerprint.low == 0x4803_AB83_EF81_913D)
        #expect(fingerprint.high == 0x6720_E7AE_7919_6385)
        // Whole words only, a short tail only, and empty strings.
        let word = DedupeFingerprint(source: "kong", id: "12345678")
        #expect(word.low == 0x03DB_A662_BA93_4CDE && word.high == 0x57F4_3845_64C4_CE3E)
        let tail = DedupeFingerprint(source: "cloudevents", id: "abc")
        #expect(tail.low == 0xBAFD_C5BD_9F13_C8A1 && tail.high == 0x88DA_EAC7_FB08_D71E)
        let empty = DedupeFingerprint(source: "", id: "")
        #expect(empty.low == 0x2D27_4DBF_2459_BA28 && empty.high == 0xE26D_934F_0167_A0E0)
    }

    @Test func separatesSourceFromIdAndHasNoCollisionsInManyIds() {
        #expect(DedupeFingerprint(source: "ab", id: "c") != DedupeFingerprint(source: "a", id: "bc"))
        #expect(DedupeFingerprint(source: "", id: "") != DedupeFingerprint(source: "", id: "\0"))
        var lows = Set<UInt64>()
        var highs = Set<UInt64>()
        for n in 0..<100_000 {
            let fingerprint = DedupeFingerprint(source: "kong", id: "request-\(n)")
            lows.insert(fingerprint.low)
            highs.insert(fingerprint.high)
        }
        #expect(lows.count == 100_000)
        #expect(highs.count == 100_000)
    }

    @Test func setMatchesAModelUnderHeavyProbing() {
        var rng = SeededGenerator(seed: 3)
        var set = FingerprintSet()
        var model = Set<DedupeFingerprint>()
        for step in 0..<20_000 {
            // Few distinct low words: long probe runs, wrap-around and backward shifts.
            let fingerprint = DedupeFingerprint(low: UInt64.random(in: 0..<48, using: &rng) << 1, high: UInt64.random(in: 0..<40, using: &rng))
            if step < 12_000 ? Bool.random(using: &rng) : Int.random(in: 0..<4, using: &rng) == 0 {
                #expect(set.insert(fingerprint) == model.insert(fingerprint).inserted)
            } else {
                set.remove(fingerprint)
                model.remove(fingerprint)
            }
            #expect(set.count == model.count)
            if step % 97 == 0 { #expect(model.allSatisfy(set.contains)) }
        }
        for fingerprint in model { set.remove(fingerprint) }
        #expect(set.count == 0 && set.capacity == 0)
    }
}
