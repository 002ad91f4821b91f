import Testing
@testable import MeterdPipeline

@Suite("FetchWakeSchedule")
struct FetchWakeScheduleTests {
    @Test("a stretch of small records wakes the fetcher once the queue is drained")
    func recordsStretch() {
        var schedule = FetchWakeSchedule()
        schedule.took(records: 1_999, bytes: 1_999 * 300)
        #expect(!schedule.isDue(queuedRecords: 0))
        schedule.took(records: 1, bytes: 300)
        #expect(schedule.isDue(queuedRecords: 0))
        #expect(!schedule.isDue(queuedRecords: FetchWakeSchedule.drainedQueueRecords))
    }

    @Test("a few large records (the hop's packed records) count by their bytes")
    func bytesStretch() {
        var schedule = FetchWakeSchedule()
        // ~90 KB each: 23 records pass 2 MiB, far from 2,000 records.
        schedule.took(records: 22, bytes: 22 * 92_000)
        #expect(!schedule.isDue(queuedRecords: 3))
        schedule.took(records: 1, bytes: 92_000)
        #expect(schedule.isDue(queuedRecords: 3))
    }

    @Test("a wake-up starts the next stretch")
    func wokeResets() {
        var schedule = FetchWakeSchedule()
        schedule.took(records: 5_000, bytes: 10 << 20)
        schedule.woke()
        #expect(schedule.records == 0 && schedule.bytes == 0)
        #expect(!schedule.isDue(queuedRecords: 0))
    }
}
