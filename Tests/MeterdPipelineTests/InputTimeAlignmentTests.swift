import MeterdKafka
import Testing
@testable import MeterdPipeline

@Suite("InputTimeAlignment: input partitions ahead in event time are paused while the slowest has a backlog")
struct InputTimeAlignmentTests {
    let p0 = TopicPartition("in", 0)
    let p1 = TopicPartition("in", 1)
    let p2 = TopicPartition("in", 2)

    @Test("the tolerance is half the grace, at least one second")
    func tolerance() {
        #expect(InputTimeAlignment(graceMillis: 10_000).toleranceMillis == 5_000)
        #expect(InputTimeAlignment(graceMillis: 0).toleranceMillis == 1_000)
    }

    @Test("a partition more than the tolerance ahead of the slowest is paused; one exactly at it is not")
    func pausesTheOnesAhead() {
        var alignment = InputTimeAlignment(graceMillis: 10_000)
        alignment.observe(p0, eventTimeMillis: 100_000)
        alignment.observe(p1, eventTimeMillis: 105_000)
        alignment.observe(p2, eventTimeMillis: 105_001)
        let decision = alignment.decide { _ in true }
        #expect(decision.pause == [p2])
        #expect(decision.resume == [])
        #expect(alignment.paused == [p2])
        // Nothing changed: no new decision.
        let again = alignment.decide { _ in true }
        #expect(again.pause == [] && again.resume == [])
    }

    @Test("a paused partition resumes once the slowest is within half the tolerance of it")
    func resumesWithHysteresis() {
        var alignment = InputTimeAlignment(graceMillis: 10_000)
        alignment.observe(p0, eventTimeMillis: 100_000)
        alignment.observe(p1, eventTimeMillis: 110_000)
        #expect(alignment.decide { _ in true }.pause == [p1])
        alignment.observe(p0, eventTimeMillis: 107_000)  // 3 s behind: above half the tolerance
        #expect(alignment.decide { _ in true }.resume == [])
        alignment.observe(p0, eventTimeMillis: 107_500)  // 2.5 s behind: resume
        let decision = alignment.decide { _ in true }
        #expect(decision.resume == [p1])
        #expect(alignment.paused.isEmpty)
    }

    @Test("a partition without a backlog is never waited for, and the slowest is never paused")
    func neverWaitsForCaughtUpPartitions() {
        var alignment = InputTimeAlignment(graceMillis: 10_000)
        alignment.observe(p0, eventTimeMillis: 0)
        alignment.observe(p1, eventTimeMillis: 60_000)
        alignment.observe(p2, eventTimeMillis: 120_000)
        // p0 has caught up (live traffic): p1 is the slowest with a backlog.
        let decision = alignment.decide { $0 != self.p0 }
        #expect(decision.pause == [p2])
        // Then p1 catches up too: one partition with a backlog left, nothing to align with.
        let later = alignment.decide { $0 == self.p2 }
        #expect(later.resume == [p2])
        #expect(alignment.paused.isEmpty)
    }

    @Test("whatever the event times, at least one partition with a backlog stays unpaused")
    func alwaysMakesProgress() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            var alignment = InputTimeAlignment(graceMillis: Int64.random(in: 0...60_000, using: &generator))
            let partitions = (0..<Int32.random(in: 1...8, using: &generator)).map { TopicPartition("in", $0) }
            var backlog = Set(partitions)
            for _ in 0..<20 {
                for partition in partitions where Bool.random(using: &generator) {
                    alignment.observe(partition, eventTimeMillis: Int64.random(in: 0...600_000, using: &generator))
                }
                if let gone = partitions.randomElement(using: &generator), Int.random(in: 0..<4, using: &generator) == 0 { backlog.remove(gone) }
                _ = alignment.decide { backlog.contains($0) }
                let observedWithBacklog = alignment.eventTimes.keys.filter { backlog.contains($0) }
                if !observedWithBacklog.isEmpty {
                    #expect(observedWithBacklog.contains { !alignment.paused.contains($0) })
                }
                #expect(alignment.paused.allSatisfy { backlog.contains($0) })
            }
        }
    }

    @Test("forget and reset hand back the partitions they unpause")
    func forgetAndReset() {
        var alignment = InputTimeAlignment(graceMillis: 2_000)
        alignment.observe(p0, eventTimeMillis: 0)
        alignment.observe(p1, eventTimeMillis: 50_000)
        alignment.observe(p2, eventTimeMillis: 60_000)
        #expect(alignment.decide { _ in true }.pause == [p1, p2])
        #expect(alignment.forget([p0, p2]) == [p2])
        #expect(alignment.eventTimes.keys.sorted { $0.partition < $1.partition } == [p1])
        #expect(alignment.reset() == [p1])
        #expect(alignment.eventTimes.isEmpty && alignment.paused.isEmpty)
    }
}
