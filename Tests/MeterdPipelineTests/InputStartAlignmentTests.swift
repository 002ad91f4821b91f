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
        #expect(deliver(10_000, of: p0, to: &alignment).isEmpty, "all started: nothing is counted or paused")
        #expect(alignment.due(nowMillis: 1_000 + InputStartAlignment.eventTimeWindowMillis).isEmpty)
        #expect(!alignment.isActive)
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
        #expect(alignment.due(nowMillis: InputStartAlignment.eventTimeWindowMillis).isEmpty)
        #expect(!alignment.isActive)
    }

    @Test func afterTheDeadlineEverythingResumesAndTheLateOnesAreNoLongerAwaited() {
        var alignment = InputStartAlignment()
        alignment.assigned(withRecords: [p0, p1], nowMillis: 10_000)
        #expect(deliver(InputStartAlignment.leadRecords + 1, of: p0, to: &alignment) == [p0])
        #expect(alignment.due(nowMillis: 10_000 + InputStartAlignment.maxWaitMillis - 1).isEmpty)
        #expect(alignment.due(nowMillis: 10_000 + InputStartAlignment.maxWaitMillis) == [p0])
        #expect(alignment.waiting.isEmpty, "the late one is no longer awaited")
        #expect(alignment.due(nowMillis: 10_000 + InputStartAlignment.eventTimeWindowMillis).isEmpty)
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
        #expect(alignment.due(nowMillis: InputStartAlignment.eventTimeWindowMillis).isEmpty)
        #expect(!alignment.isActive)
    }

    /// Starts p0, p1 and p2 together at event time `start`.
    private func startedTogether(at start: Int64, grace: Int64 = 10_000) -> InputStartAlignment {
        var alignment = InputStartAlignment(graceMillis: grace)
        alignment.assigned(withRecords: [p0, p1, p2], nowMillis: 0)
        for partition in [p0, p1, p2] {
            _ = alignment.delivered(partition)
            #expect(alignment.decoded(partition, eventTimeMillis: start) == nil)
        }
        return alignment
    }

    @Test func aPartitionAheadInEventTimeIsPausedUntilTheOthersAreWithinAQuarterOfTheLead() {
        var alignment = startedTogether(at: 1_000_000)
        let lead = alignment.leadMillis
        #expect(lead == 20_000, "twice the grace")
        #expect(alignment.decoded(p0, eventTimeMillis: 1_000_000 + lead) == nil, "exactly the lead is allowed")
        #expect(alignment.decoded(p0, eventTimeMillis: 1_000_000 + lead + 1) == p0)
        #expect(alignment.decoded(p0, eventTimeMillis: 1_000_000 + lead + 50) == nil, "paused once")
        #expect(alignment.due(nowMillis: 100).isEmpty, "p1 and p2 are still a lead behind")
        #expect(alignment.decoded(p1, eventTimeMillis: 1_000_000 + lead) == nil)
        #expect(alignment.due(nowMillis: 200).isEmpty, "p2 is still behind")
        #expect(alignment.decoded(p2, eventTimeMillis: 1_000_000 + 3 * lead / 4 + 49) == nil)
        #expect(alignment.due(nowMillis: 300).isEmpty, "p2 is 1 ms more than a quarter of the lead behind p0")
        #expect(alignment.decoded(p2, eventTimeMillis: 1_000_000 + 3 * lead / 4 + 50) == nil)
        #expect(alignment.due(nowMillis: 400) == [p0])
        #expect(alignment.isActive, "the window is still open")
        // p2, now the slowest, is at 1_000_000 + 3 * lead / 4 + 50.
        #expect(alignment.decoded(p0, eventTimeMillis: 1_000_000 + 3 * lead / 4 + 50 + lead) == nil, "within the lead of p2")
        #expect(alignment.decoded(p0, eventTimeMillis: 1_000_000 + 3 * lead / 4 + 51 + lead) == p0)
    }

    @Test func theEventTimeWindowClosesAndResumesEverything() {
        var alignment = startedTogether(at: 0)
        #expect(alignment.decoded(p1, eventTimeMillis: 60_001) == p1)
        #expect(alignment.due(nowMillis: InputStartAlignment.eventTimeWindowMillis - 1).isEmpty)
        #expect(alignment.due(nowMillis: InputStartAlignment.eventTimeWindowMillis) == [p1])
        #expect(!alignment.isActive)
        #expect(alignment.decoded(p2, eventTimeMillis: 900_000) == nil, "after the window, nothing is compared")
    }

    @Test func aLoneOrALeadingPartitionOnlyIsNeverStuck() {
        // One partition alone has nothing to be ahead of.
        var alone = InputStartAlignment()
        alone.assigned(withRecords: [p0], nowMillis: 0)
        _ = alone.delivered(p0)
        #expect(alone.decoded(p0, eventTimeMillis: 0) == nil)
        #expect(alone.decoded(p0, eventTimeMillis: 900_000) == nil)
        // Every partition that decoded something paused: all of them go on.
        var alignment = startedTogether(at: 0, grace: 0)
        #expect(alignment.leadMillis == 2_000, "at least 2 s")
        #expect(alignment.decoded(p0, eventTimeMillis: 5_000) == p0)
        #expect(alignment.decoded(p1, eventTimeMillis: 5_000) == p1)
        #expect(alignment.revoked([p2]).isEmpty)
        #expect(alignment.due(nowMillis: 10) == [p0, p1])
    }

    @Test func revokingAPausedPartitionResumesItAndForgetsItsEventTime() {
        var alignment = startedTogether(at: 0)
        #expect(alignment.decoded(p0, eventTimeMillis: 30_000) == p0)
        #expect(alignment.revoked([p0]) == [p0])
        #expect(alignment.paused.isEmpty)
        #expect(alignment.decoded(p1, eventTimeMillis: 19_000) == nil, "p0's event time no longer counts")
    }
}
