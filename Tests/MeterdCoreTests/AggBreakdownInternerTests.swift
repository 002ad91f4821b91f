import Testing
@testable import MeterdCore

/// Groups of the same feature and breakdown values share one breakdown
/// array across customers and windows, also after a restore, and the
/// aggregator's interner stays bounded by live state.
@Suite struct AggBreakdownInternerTests {
    typealias F = AggFixtures
    static let tokensFeature = 2   // `tokens`, breakdown [model]

    /// The buffer address of the breakdown array of every `tokens` group, by model.
    static func breakdownArrays(_ aggregator: PartitionAggregator) -> [String: Set<UInt>] {
        var arrays: [String: Set<UInt>] = [:]
        for (_, customer) in aggregator.customers {
            for (_, window) in customer.windows {
                for (key, _) in window.groups where key.featureIndex == tokensFeature {
                    let address = key.breakdown.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
                    arrays[key.breakdown[0] ?? "-", default: []].insert(address)
                }
            }
        }
        return arrays
    }

    @Test func groupsShareOneArrayPerFeatureAndValues() throws {
        var aggregator = PartitionAggregator(configuration: F.configuration())
        var sequence = 0
        for customer in ["acme", "globex", "initech"] {
            for minute in 0..<3 {
                for model in ["gpt-4o-2024-08-06", "claude-3-5-sonnet"] {
                    sequence += 1
                    _ = aggregator.ingest(F.tokenUse(customer, id: "e\(sequence)", at: Int64(minute) * F.minute + 5, tokens: 3, model: model))
                }
            }
        }
        let arrays = Self.breakdownArrays(aggregator)
        #expect(arrays.keys.sorted() == ["claude-3-5-sonnet", "gpt-4o-2024-08-06"])
        #expect(arrays.values.allSatisfy { $0.count == 1 }, "one array per model over 3 customers x 3 windows: \(arrays)")
        #expect(arrays["claude-3-5-sonnet"] != arrays["gpt-4o-2024-08-06"])

        // A restore decodes a fresh array per group; the restored state shares them again.
        let restored = try PartitionAggregator(configuration: F.configuration(), snapshot: aggregator.snapshot())
        let restoredArrays = Self.breakdownArrays(restored)
        #expect(restoredArrays.keys.sorted() == ["claude-3-5-sonnet", "gpt-4o-2024-08-06"])
        #expect(restoredArrays.values.allSatisfy { $0.count == 1 }, "after restore: \(restoredArrays)")
        #expect(restored.customers == aggregator.customers)
    }

    @Test func internerIsBoundedByLiveGroups() {
        // A new model in every event: 40 per minute for 200 minutes (8,000
        // distinct arrays over time) while windows live ~3 minutes
        // (1m size + 10s grace + 2m lateness).
        var aggregator = PartitionAggregator(configuration: F.configuration())
        var largest = 0
        for minute in 0..<200 {
            for index in 0..<40 {
                let time = Int64(minute) * F.minute + Int64(index) * 1_000
                _ = aggregator.ingest(F.tokenUse(id: "m\(minute)-\(index)", at: time, tokens: 1, model: "model-\(minute)-\(index)"))
            }
            _ = aggregator.flush()
            largest = max(largest, aggregator.breakdowns.count)
        }
        #expect(largest <= BreakdownInterner.minimumPurgeThreshold + 40, "interner held \(largest) keys")
        #expect(largest > 40 * 4, "the interner holds the live groups at least")

        // Live groups still share: another customer's group for a live model gets the same array.
        _ = aggregator.ingest(F.tokenUse("globex", id: "g", at: 199 * F.minute + 30_000, tokens: 1, model: "model-199-30"))
        let arrays = Self.breakdownArrays(aggregator)
        #expect(arrays["model-199-30"]?.count == 1)
    }
}
