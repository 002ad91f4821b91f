import Testing
@testable import MeterdCore

/// Round 11 of the ingest hot path reads configuration rows, filters, group
/// keys and strings in place instead of through copies; each shortcut must
/// give what the copy gave.
@Suite struct IngestInPlaceTests {
    typealias F = AggFixtures

    @Test func flattenedTablesEqualTheRowsTheyReplace() {
        var configuration = F.configuration()
        // A meter read by no feature, between meters that are.
        configuration.meters.insert(
            MeterDefinition(slug: "unused", eventType: "kong.request", aggregation: .count), at: 1
        )
        for compiled in [CompiledConfiguration(F.configuration()), CompiledConfiguration(configuration)] {
            compiled.withHotPathTables { tables in
                for (meter, row) in compiled.featuresByMeter.enumerated() {
                    #expect(Array(tables.features(ofMeter: meter)) == row, "meter \(meter)")
                }
                for meter in [-1, compiled.featuresByMeter.count, Int.max] { #expect(tables.features(ofMeter: meter).isEmpty) }
                for feature in compiled.features {
                    #expect(Array(tables.breakdownIndexes(ofFeature: feature.index)) == feature.breakdownIndexes, "\(feature.key)")
                }
            }
        }
    }

    @Test func matchesAllOnlyForAnEmptyFilter() {
        var configuration = F.configuration()
        configuration.features.append(FeatureDefinition(key: "on_missing", meter: "api_requests", filter: ["nope": ["x"]]))
        let compiled = CompiledConfiguration(configuration)
        let dimensions: [[String?]] = [[nil, nil], ["chat", "200"], ["chat", "500"], ["embed", nil]]
        for feature in compiled.features {
            #expect(feature.matchesAll == (feature.filter?.isEmpty == true), "\(feature.key)")
            if feature.matchesAll {
                for values in dimensions { #expect(feature.matches(values), "\(feature.key)") }
            }
        }
        #expect(compiled.features.contains { $0.filter == nil && !$0.matchesAll })
    }

    /// A table filled with random keys finds each sample's group exactly when
    /// the key built from the sample (`CompiledFeature.breakdown(of:)`) is in it.
    @Test func groupLookupInPlaceEqualsTheBuiltKey() {
        var rng = SeededGenerator(seed: 111)
        let values: [String?] = [nil, "a", "b", "", "consumer-0001-long-value", "ü", "gpt-4o-2024-08-06"]
        // Breakdown positions: present, absent (nil) and out of range of the sample.
        let layouts: [[Int?]] = [[], [0], [1, 0], [nil, 1], [0, 5], [2, 1, 0]]
        var table = RollupGroupTable()
        var model: [RollupGroupKey: Int] = [:]
        func randomDimensions() -> [String?] {
            (0..<Int.random(in: 0...3, using: &rng)).map { _ in values[Int.random(in: 0..<values.count, using: &rng)] }
        }
        for round in 0..<3_000 {
            let featureIndex = Int.random(in: 0..<layouts.count, using: &rng)
            let layout = layouts[featureIndex]
            let dimensions = randomDimensions()
            let built = RollupGroupKey(featureIndex: featureIndex, breakdown: layout.map { position in
                position.flatMap { $0 < dimensions.count ? dimensions[$0] : nil }
            })
            let found = layout.withUnsafeBufferPointer { indexes in
                dimensions.withUnsafeBufferPointer { dims in
                    table.index(
                        featureIndex: featureIndex, breakdownIndexes: indexes, dimensions: dims,
                        fingerprint: RollupGroupKey.fingerprint(featureIndex: featureIndex, breakdownIndexes: indexes, dimensions: dims)
                    )
                }
            }
            #expect(found == model[built], "round \(round): \(built)")
            if found == nil, round % 2 == 0 {
                model[built] = table.append(built, RollupGroupState(accumulator: Accumulator(kind: .count)))
            }
            // Room made ahead (a new window sized like the last) rebuilds the
            // slots early; the lookup's inline mask must follow.
            if round % 500 == 250 { table.reserveCapacity(table.count + 40) }
            #expect(table.slotMaskMatchesSlots)
        }
        #expect(model.count > 50)
    }

    @Test func inPlaceFingerprintsEqualTheByteReference() {
        let texts = ["", "a", "kong", "exactly15bytes!", "sixteen-bytes-xx", "gpt-4o-2024-08-06", "ü%=/\u{1F600}",
                     String(repeating: "z", count: 100), "7c9e6679-7425-40de-944b-e07fc1f90ae7"]
        for text in texts {
            #expect(Fingerprint.of(text) == FingerprintReference.of(Array(text.utf8), 0x243F_6A88_85A3_08D3), "\(text)")
            #expect(Fingerprint.of(text, 42) == FingerprintReference.of(Array(text.utf8), 42), "\(text)")
            // A substring-backed string (shared storage, not at offset 0) reads the same bytes.
            let shifted = String(("xx" + text).dropFirst(2))
            #expect(Fingerprint.of(shifted) == Fingerprint.of(text), "\(text)")
            #expect(DedupeFingerprint(source: shifted, id: shifted) == DedupeFingerprint(source: text, id: text))
        }
    }

    /// The partials are state (changelog records): the shortened update must
    /// leave exactly the partials of the round-5 algorithm, kept here.
    @Test func exactSumPartialsEqualTheReferenceAlgorithm() {
        func referenceAdd(_ value: Double, to partials: inout [Double]) {
            var x = value
            var kept = 0
            for index in partials.indices {
                var y = partials[index]
                if abs(x) < abs(y) { swap(&x, &y) }
                let hi = x + y
                let lo = y - (hi - x)
                if lo != 0 {
                    partials[kept] = lo
                    kept += 1
                }
                x = hi
            }
            partials.removeSubrange(kept...)
            partials.append(x)
        }
        var rng = SeededGenerator(seed: 112)
        let magnitudes: [Double] = [1e-300, 1e-20, 0.1, 1, 3, 1e15, 1e16, 1e100, 1e300]
        var maxPartials = 0
        for _ in 0..<200 {
            var sum = ExactSum()
            var reference: [Double] = []
            for _ in 0..<Int.random(in: 1...60, using: &rng) {
                let magnitude = magnitudes[Int.random(in: 0..<magnitudes.count, using: &rng)]
                var value = magnitude * Double(Int.random(in: -1_000...1_000, using: &rng)) / 7
                // Exact cancellations of earlier terms too.
                if Bool.random(using: &rng), let last = reference.last { value = -last }
                sum.add(value)
                referenceAdd(value, to: &reference)
                #expect(sum.partials == reference)
                maxPartials = max(maxPartials, reference.count)
            }
        }
        #expect(maxPartials >= 3)
    }
}
