@testable import MeterdPipeline
import Testing

@Suite("PipelineCounters(combining:): the counters of meterd run --threads")
struct CombinedCountersTests {
    private func member(partition: Int32, ready: Bool, commitSeconds: Double, lastCommit: Int64?) -> PipelineCounters {
        var counters = PipelineCounters()
        counters.recordsIn = ["gateway.usage": 10 + Int(partition), "meterd-repartition": 5]
        counters.recordsOut = ["usage.rollups": 3]
        counters.deadLetters = ["malformed_json": 1]
        counters.dedupedEvents = 2
        counters.lateEvents = 4
        counters.aborts = Int(partition)
        counters.recordCommit(seconds: commitSeconds)
        counters.openWindows = [partition: 7]
        counters.stateBytes = [partition: 1_000]
        counters.lag = ["gateway.usage[\(partition)]": 12]
        counters.assigned = ["gateway.usage[\(partition)]"]
        counters.restoredPartitions = 1
        counters.ready = ready
        counters.lastCommitMillis = lastCommit
        return counters
    }

    @Test("sums counters, joins the disjoint partitions, keeps the latest commit time")
    func sums() {
        let combined = PipelineCounters(combining: [
            member(partition: 1, ready: true, commitSeconds: 0.02, lastCommit: 100),
            member(partition: 0, ready: true, commitSeconds: 3, lastCommit: nil),
        ])
        #expect(combined.recordsIn == ["gateway.usage": 21, "meterd-repartition": 10])
        #expect(combined.recordsOut == ["usage.rollups": 6])
        #expect(combined.deadLetters == ["malformed_json": 2])
        #expect(combined.dedupedEvents == 4 && combined.lateEvents == 8 && combined.aborts == 1)
        #expect(combined.commits == 2)
        #expect(abs(combined.commitLatencySum - 3.02) < 1e-9)
        #expect(combined.openWindows == [0: 7, 1: 7])
        #expect(combined.stateBytes == [0: 1_000, 1: 1_000])
        #expect(combined.lag == ["gateway.usage[0]": 12, "gateway.usage[1]": 12])
        #expect(combined.assigned == ["gateway.usage[0]", "gateway.usage[1]"])
        #expect(combined.restoredPartitions == 2)
        #expect(combined.lastCommitMillis == 100)
        #expect(combined.ready)
    }

    @Test("ready only when every member is ready")
    func readiness() {
        let one = member(partition: 0, ready: true, commitSeconds: 0.1, lastCommit: 1)
        let other = member(partition: 1, ready: false, commitSeconds: 0.1, lastCommit: 1)
        #expect(!PipelineCounters(combining: [one, other]).ready)
        #expect(!PipelineCounters(combining: []).ready)
    }

    @Test("PipelineStats(combining:) reads its members' latest counters")
    func statsGroup() {
        let first = PipelineStats()
        let second = PipelineStats()
        let group = PipelineStats(combining: [first, second])
        first.publish(member(partition: 0, ready: true, commitSeconds: 0.1, lastCommit: 5))
        #expect(!group.snapshot.ready)
        second.publish(member(partition: 1, ready: true, commitSeconds: 0.1, lastCommit: 9))
        #expect(group.snapshot.ready)
        #expect(group.snapshot.lastCommitMillis == 9)
    }
}
