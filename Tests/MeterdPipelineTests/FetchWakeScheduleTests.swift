import Testing
@testable import MeterdPipeline

@Suite("FetchWakeSchedule")
struct FetchWakeScheduleTests {
    @Test("a stretch of 2,000 small records wakes the fetcher once the queue is down to half its limit")
    func recordsStretch() {
        var schedule = FetchWakeSchedule(queueLimitKBytes: 8_192)
        schedule.took(records: 1_999, bytes: 1_999 * 300)
        #expect(!schedule.isDue(queuedRecords: 0))
        schedule.took(records: 1, bytes: 300)
        #expect(schedule.isDue(queuedRecords: 0))
        // 300 B records: half of 8,192,000 bytes is 13,653 of them.
        #expect(schedule.isDue(queuedRecords: 13_000))
        #expect(!schedule.isDue(queuedRecords: 14_000))
    }

    @Test("~1.3 KB input records: due after 2,000 of them, with up to ~3,150 still queued")
    func inputRecords() {
        var schedule = FetchWakeSchedule(queueLimitKBytes: 8_192)
        schedule.took(records: 2_000, bytes: 2_000 * 1_300)
        #expect(schedule.isDue(queuedRecords: 3_000))
        #expect(!schedule.isDue(queuedRecords: 3_200))
    }

    @Test("a few large records (the hop's packed records) count by their bytes")
    func bytesStretch() {
        var schedule = FetchWakeSchedule(queueLimitKBytes: 8_192)
        // ~92 KB each: 23 records pass a quarter of the limit, far from 2,000 records.
        schedule.took(records: 22, bytes: 22 * 92_000)
        #expect(!schedule.isDue(queuedRecords: 3))
        schedule.took(records: 1, bytes: 92_000)
        #expect(schedule.isDue(queuedRecords: 3))
        // Half of the limit is ~44 such records.
        #expect(schedule.isDue(queuedRecords: 44))
        #expect(!schedule.isDue(queuedRecords: 45))
    }

    @Test("the record limit (queued.min.messages) counts too")
    func recordLimit() {
        var schedule = FetchWakeSchedule(queueLimitKBytes: 1_000_000, queueLimitRecords: 10_000)
        schedule.took(records: 2_000, bytes: 2_000 * 10)
        #expect(schedule.isDue(queuedRecords: 4_999))
        #expect(!schedule.isDue(queuedRecords: 5_000))
    }

    @Test("a wake-up starts the next stretch; nothing read, nothing due")
    func wokeResets() {
        var schedule = FetchWakeSchedule()
        #expect(!schedule.isDue(queuedRecords: 0))
        schedule.took(records: 5_000, bytes: 10 << 20)
        schedule.woke()
        #expect(schedule.records == 0 && schedule.bytes == 0)
        #expect(!schedule.isDue(queuedRecords: 0))
    }
}
