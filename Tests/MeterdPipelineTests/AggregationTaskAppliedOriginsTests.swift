import MeterdCore
@testable import MeterdPipeline
import Testing

/// `AggregationTask.markAppliedIfNew`, which keeps the index of the last
/// origin partition's entry, against a plain dictionary: runs per partition,
/// switches between them, stale and repeated offsets, and enough new
/// partitions to make the dictionary grow (and move its entries) while an
/// index is remembered.
@Suite struct AggregationTaskAppliedOriginsTests {
    @Test("matches a dictionary model over 20,000 origins in runs, across growth, with stale and repeated offsets")
    func matchesADictionaryModel() throws {
        let configuration = MeterdConfiguration(meters: [
            MeterDefinition(slug: "requests", eventType: "kong.request", aggregation: .count),
        ])
        let restored: [OriginPartition: Int64] = [OriginPartition(topic: "gateway.usage", partition: 0): 41]
        let task = AggregationTask(
            partition: 0, aggregator: PartitionAggregator(configuration: configuration), nextOffset: 0, appliedOrigins: restored
        )
        var model = restored
        var random = SeededRandom(seed: 0xA991_1ED)
        var current = OriginPartition(topic: "gateway.usage", partition: 0)
        var lastOffsets: [OriginPartition: Int64] = [:]
        var mismatches = 0
        for step in 0..<20_000 {
            // A new run about every 40 records; new partitions keep appearing, so the dictionary grows.
            if random.next() % 40 == 0 {
                let partitions = UInt64(min(200, 2 + step / 100))
                current = OriginPartition(
                    topic: random.next() % 4 == 0 ? "other.usage" : "gateway.usage", partition: Int32(random.next() % partitions)
                )
            }
            var offset = lastOffsets[current, default: 0]
            switch random.next() % 10 {
            case 0: offset = max(0, offset - Int64(random.next() % 50))  // re-delivered, possibly already applied
            case 1: break  // the same offset again
            default: offset += 1 + Int64(random.next() % 3)
            }
            lastOffsets[current] = max(lastOffsets[current, default: 0], offset)
            let expected = offset > model[current, default: -1]
            if expected { model[current] = offset }
            let origin = RecordOrigin(topic: current.topic, partition: current.partition, offset: offset)
            if task.markAppliedIfNew(origin) != expected { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(task.appliedOrigins == model)
        #expect(model.count > 100, "the dictionary grew while runs went on: \(model.count) partitions")
    }
}
