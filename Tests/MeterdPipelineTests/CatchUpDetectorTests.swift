import Testing
@testable import MeterdPipeline

@Suite struct CatchUpDetectorTests {
    /// Feeds rounds of `taken` records; returns which rounds ended a backlog.
    private func rounds(_ taken: [Int], _ detector: inout CatchUpDetector) -> [Bool] {
        taken.map { detector.roundFinished(taken: $0) }
    }

    @Test func anEmptyRoundAfterABacklogCommits() {
        var detector = CatchUpDetector(minimumBacklogRecords: 10_000)
        #expect(rounds([5_000, 5_000, 5_000, 0], &detector) == [false, false, false, true])
        detector.committed()
        #expect(rounds([0], &detector) == [false])
    }

    @Test func slowTrafficIsLeftToTheTimer() {
        var detector = CatchUpDetector(minimumBacklogRecords: 10_000)
        for _ in 0..<100 {
            #expect(rounds([50, 0], &detector) == [false, false])
            detector.committed()
        }
    }

    @Test func onlyRecordsSinceTheLastCommitCount() {
        var detector = CatchUpDetector(minimumBacklogRecords: 10_000)
        #expect(rounds([9_000], &detector) == [false])
        detector.committed()
        #expect(rounds([2_000, 0, 8_000, 0], &detector) == [false, false, false, true])
    }

    @Test func aRoundThatStillTookRecordsDoesNotEndTheBacklog() {
        var detector = CatchUpDetector(minimumBacklogRecords: 1_000)
        #expect(rounds([5_000, 3, 0], &detector) == [false, false, true])
    }
}
