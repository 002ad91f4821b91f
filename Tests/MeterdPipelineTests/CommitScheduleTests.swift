import Testing
@testable import MeterdPipeline

@Suite("CommitSchedule: the commit timer, brought forward at the end of a backlog and for quota events")
struct CommitScheduleTests {
    @Test func commitsEveryIntervalOtherwise() {
        var schedule = CommitSchedule(intervalMillis: 1_000, nowMillis: 0)
        schedule.roundFinished(taken: 300, full: false, nowMillis: 10)
        schedule.roundFinished(taken: 0, full: false, nowMillis: 40)
        #expect(!schedule.isDue(nowMillis: 999))
        #expect(schedule.isDue(nowMillis: 1_000))
        schedule.commitStarted(nowMillis: 1_000)
        #expect(!schedule.isDue(nowMillis: 1_999))
        #expect(schedule.isDue(nowMillis: 2_000))
    }

    @Test func anEmptyRoundAfterABacklogIsDueAtOnce() {
        var schedule = CommitSchedule(intervalMillis: 1_000, nowMillis: 0, backlogRecords: 10_000)
        for now in [100, 200, 300] as [Int64] {
            schedule.roundFinished(taken: 5_000, full: true, nowMillis: now)
            #expect(!schedule.isDue(nowMillis: now))
        }
        schedule.roundFinished(taken: 1_200, full: false, nowMillis: 350)
        #expect(!schedule.isDue(nowMillis: 350), "a round that still took records does not end the backlog")
        schedule.roundFinished(taken: 0, full: false, nowMillis: 400)
        #expect(schedule.isDue(nowMillis: 400))
        schedule.commitStarted(nowMillis: 400)
        schedule.roundFinished(taken: 0, full: false, nowMillis: 420)
        #expect(!schedule.isDue(nowMillis: 420), "only records read since the last commit count")
    }

    @Test func slowTrafficIsLeftToTheTimer() {
        var schedule = CommitSchedule(intervalMillis: 1_000, nowMillis: 0, backlogRecords: 10_000)
        for now in stride(from: Int64(10), to: 1_000, by: 10) {
            schedule.roundFinished(taken: now % 20 == 0 ? 0 : 90, full: false, nowMillis: now)
            #expect(!schedule.isDue(nowMillis: now))
        }
    }

    @Test func aQuotaEventBringsTheCommitForwardNoSoonerThanTheSpacing() {
        var schedule = CommitSchedule(intervalMillis: 1_000, nowMillis: 0)
        #expect(schedule.quotaSpacingMillis == 100)
        schedule.quotaEventEmitted()
        schedule.roundFinished(taken: 40, full: false, nowMillis: 30)
        #expect(!schedule.isDue(nowMillis: 99))
        #expect(schedule.isDue(nowMillis: 100))
        schedule.commitStarted(nowMillis: 100)
        schedule.quotaEventEmitted()
        schedule.roundFinished(taken: 40, full: false, nowMillis: 450)
        #expect(schedule.isDue(nowMillis: 450))
    }

    @Test func quotaEventsWaitForTheTimerWhileABacklogIsRead() {
        var schedule = CommitSchedule(intervalMillis: 1_000, nowMillis: 0)
        schedule.quotaEventEmitted()
        schedule.roundFinished(taken: 5_000, full: true, nowMillis: 500)
        #expect(!schedule.isDue(nowMillis: 500))
        schedule.roundFinished(taken: 2_000, full: false, nowMillis: 600)
        #expect(schedule.isDue(nowMillis: 600), "the processor caught up: the pending quota event is committed now")
    }

    @Test func aShortIntervalIsItsOwnSpacing() {
        var schedule = CommitSchedule(intervalMillis: 50, nowMillis: 0)
        #expect(schedule.quotaSpacingMillis == 50)
        schedule.quotaEventEmitted()
        schedule.roundFinished(taken: 1, full: false, nowMillis: 10)
        #expect(!schedule.isDue(nowMillis: 49))
        #expect(schedule.isDue(nowMillis: 50))
    }
}
