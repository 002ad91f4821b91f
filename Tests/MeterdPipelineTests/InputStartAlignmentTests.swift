import MeterdKafka
import Testing
@testable import MeterdPipeline

@Suite struct InputStartAlignmentTests {
    let p0 = TopicPartition("usage", 0)
    let p1 = TopicPartition("usage", 1)
    let p2 = TopicPartition("usage", 2)

    /// Delivers `count` records of `partition`; returns the pause decisions.
    private func deliver(_ count: Int, of partition: TopicPartition, to alignment: inout InputStartAlignment) -> [TopicPartition] {
        (0..<count).compactMap { _ in alignment.delivered(partition) }
    }

    @Test func aPartitionRunningAheadOfOneNotStartedIsPausedOnceUntilTheOtherStarts() {
        var alignment = InputStartAlignment()
        alignment.assigned(withRecords: [p0, p1, p2], nowMillis: 1_000)
        #expect(alignment.isActive)
        // p0's first record ends its own wait; it may then run leadRecords ahead.
        #expect(deliver(InputStartAlignment.leadRecords, of: p0, to: &alignment).isEmpty)
        #expect(deliver(1, of: p0, to: &alignment) == [p0])
        #expect(deliver(5_000, of: p0, to: &alignment).isEmpty, "paused once, not again")
        #expect(alignment.due(nowMillis: 1_100).isEmpty, "p1 and p2 have not started")
        #expect(deliver(1, of: p1, to: &alignment).isEmpty)
        #expect(alignment.due(nowMillis: 1_200).isEmpty, "p2 has not started")
        #expect(deliver(1, of: p2, to: &alignment).isEmpty)
        #expect(alignment.due(nowMillis: 1_300) == [p0])
        #expect(!alignment.isActive)
        #expect(deliver(10_000, of: p0, to: &alignment).isEmpty, "aligned: nothing is counted or paused")
    }

    @Test func partitionsThatStartTogetherAreNeverPaused() {
        var alignment = InputStartAlignment()
        alignment.assigned(withRecords: [p0, p1, p2], nowMillis: 0)
        var paused: [TopicPartition] = []
        for round in 0..<2_000 {
            for partition in [p0, p1, p2] where round % 3 != 2 || partition != p2 { paused += deliver(1, of: partition, to: &alignment) }
        }
        #expect(paused.isEmpty)
        #expect(alignment.due(nowMillis: 1).isEmpty)
        #expect(!alignment.isActive)
    }

    @Test func afterTheDeadlineEverythingResumesAndTheLateOnesAreNoLongerAwaited() {
        var alignment = InputStartAlignment()
        alignment.assigned(withRecords: [p0, p1], nowMillis: 10_000)
        #expect(deliver(InputStartAlignment.leadRecords + 1, of: p0, to: &alignment) == [p0])
        #expect(alignment.due(nowMillis: 10_000 + InputStartAlignment.maxWaitMillis - 1).isEmpty)
        #expect(alignment.due(nowMillis: 10_000 + InputStartAlignment.maxWaitMillis) == [p0])
        #expect(!alignment.isActive)
    }

    @Test func partitionsWithoutRecordsAreNotAwaited() {
        var alignment = InputStartAlignment()
        alignment.assigned(withRecords: [], nowMillis: 0)
        #expect(!alignment.isActive)
        #expect(deliver(5_000, of: p0, to: &alignment).isEmpty)
    }

    @Test func revokingResumesWhatWasPausedAndStopsWaitingForTheRevoked() {
        var alignment = InputStartAlignment()
        alignment.assigned(withRecords: [p0, p1, p2], nowMillis: 0)
        #expect(deliver(InputStartAlignment.leadRecords + 1, of: p0, to: &alignment) == [p0])
        #expect(alignment.revoked([p0, p1]) == [p0])
        #expect(alignment.waiting == [p2])
        #expect(alignment.paused.isEmpty)
        #expect(deliver(1, of: p2, to: &alignment).isEmpty)
        #expect(alignment.due(nowMillis: 1).isEmpty)
        #expect(!alignment.isActive)
    }
}
