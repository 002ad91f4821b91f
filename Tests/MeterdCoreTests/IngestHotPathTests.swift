import Testing
@testable import MeterdCore

/// The ingest hot path's shortcuts (round 6) must keep the results of the
/// code they replaced: the word-at-a-time byte order equals the byte-wise
/// order, and a group's cached changelog encoding is redone after any change.
@Suite struct IngestHotPathTests {
    typealias F = AggFixtures

    @Test func wordwiseCompareEqualsTheByteOrder() {
        var rng = SeededGenerator(seed: 61)
        let alphabet: [String] = ["a", "b", "z", "0", "-", "ü", "é", "\u{1F600}", "A"]
        func random() -> String {
            // Shared prefixes around the 8- and 16-byte word boundaries.
            let prefix = ["", "consumer", "consumer-0001-", "acme-web-frontend"][Int.random(in: 0..<4, using: &rng)]
            var text = prefix
            for _ in 0..<Int.random(in: 0..<12, using: &rng) { text += alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
            return text
        }
        for _ in 0..<5_000 {
            let a = random(), b = random()
            let expected = Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) ? -1 : (Array(a.utf8) == Array(b.utf8) ? 0 : 1)
            #expect(CompiledFeature.utf8Compare(a, b).signum() == expected, "\(a) vs \(b)")
            #expect(CompiledFeature.utf8Less(a, b) == (expected < 0))
            #expect(CompiledFeature.utf8Compare(b, a).signum() == -expected)
        }
    }

    @Test func sortedSubjectsStayExactWithSharedPrefixes() {
        var rng = SeededGenerator(seed: 62)
        var list: [String] = []
        var model = Set<String>()
        for _ in 0..<3_000 {
            let subject = "consumer-\(Int.random(in: 0..<40, using: &rng))-" + String(repeating: "x", count: Int.random(in: 0..<3, using: &rng))
            RollupGroupState.insert(subject, into: &list)
            model.insert(subject)
        }
        #expect(list == model.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }))
    }

    private func values(_ changes: AggregatorStateChanges) -> [[UInt8]: [UInt8]?] {
        Dictionary(changes.records.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    @Test func aCachedGroupEncodingIsRedoneAfterAnUpdateOrAnEmission() throws {
        var incremental = PartitionAggregator(configuration: F.configuration())
        var fresh = PartitionAggregator(configuration: F.configuration())
        let records = (0..<60).map { n in F.request("acme", id: "r\(n)", at: 1_000 + Int64(n), route: n % 2 == 0 ? "chat" : "embed") }
        for record in records[0..<20] { _ = incremental.ingest(record); _ = fresh.ingest(record) }
        _ = incremental.takeStateChanges()
        // Same groups, new values: every cached encoding is stale.
        for record in records[20..<40] { _ = incremental.ingest(record); _ = fresh.ingest(record) }
        try expectWindowRecordsEqualAFreshEncoding(incremental.takeStateChanges(), &fresh)
        // A later record closes the window; emission changes revisions and the dirty flag only.
        let later = F.request("acme", id: "later", at: 100_000)
        _ = incremental.ingest(later)
        _ = fresh.ingest(later)
        let emitted = incremental.flush()
        #expect(emitted == fresh.flush())
        #expect(!emitted.isEmpty)
        try expectWindowRecordsEqualAFreshEncoding(incremental.takeStateChanges(), &fresh)
    }

    private func expectWindowRecordsEqualAFreshEncoding(_ incremental: AggregatorStateChanges, _ fresh: inout PartitionAggregator) throws {
        let changes = values(incremental)
        fresh.markAllStateChanged()
        let expected = values(fresh.takeStateChanges())
        let windowKeys = try changes.keys.filter { if case .window = try StateKey(parsing: $0) { true } else { false } }
        #expect(!windowKeys.isEmpty)
        for key in windowKeys { #expect(changes[key] == expected[key]) }
    }
}
