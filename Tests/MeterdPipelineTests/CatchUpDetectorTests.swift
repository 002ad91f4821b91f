import Testing
@testable import MeterdPipeline

@Suite struct CatchUpDetectorTests {
    @Test func anEmptyRoundAfterABacklogCommitsOnce() {
        var detector = CatchUpDetector(minimumBacklogRecords: 10_000)
        for _ in 0..<3 { #expect(!detector.roundFinished(taken: 5_000)) }
        #expect(detector.roundFinished(taken: 0))
        detector.committed()
        #expect(!detector.roundFinished(taken: 0))
    }

    @Test func slowTrafficIsLeftToTheTimer() {
        var detector = CatchUpDetector(minimumBacklogRecords: 10_000)
        for _ in 0..<100 {
            #expect(!detector.roundFinished(taken: 50))
            #expect(!detector.roundFinished(taken: 0))
        }
    }

    @Test func onlyRecordsSinceTheLastCommitCount() {
        var detector = CatchUpDetector(minimumBacklogRecords: 10_000)
        #expect(!detector.roundFinished(taken: 9_000))
        detector.committed()
        #expect(!detector.roundFinished(taken: 2_000))
        #expect(!detector.roundFinished(taken: 0))
        #expect(!detector.roundFinished(taken: 8_000))
        #expect(detector.roundFinished(taken: 0))
    }

    @Test func aRoundThatStillTookRecordsDoesNotEndTheBacklog() {
        var detector = CatchUpDetector(minimumBacklogRecords: 1_000)
        #expect(!detector.roundFinished(taken: 5_000))
        #expect(!detector.roundFinished(taken: 3))
        #expect(detector.roundFinished(taken: 0))
    }
}
