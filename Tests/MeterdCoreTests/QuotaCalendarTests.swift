import Testing
import MeterdCore

@Suite struct QuotaCalendarTests {
    private let hour: Int64 = 3_600_000
    private let day: Int64 = 86_400_000

    @Test func hourAndDayAreUTCAligned() {
        #expect(QuotaCalendar.period(.hour, containing: 1_706_745_600_000 + 3 * hour + 59_999) ==
                (1_706_745_600_000 + 3 * hour, 1_706_745_600_000 + 4 * hour))
        #expect(QuotaCalendar.period(.day, containing: 1_706_745_600_000 + day - 1) == (1_706_745_600_000, 1_706_745_600_000 + day))
        #expect(QuotaCalendar.period(.day, containing: -1) == (-day, 0))
    }

    @Test func monthEndsIncludingLeapFebruaries() {
        // 2024 is a leap year: February has 29 days.
        #expect(QuotaCalendar.period(.month, containing: 1_709_251_200_000 - 1) == (1_706_745_600_000, 1_709_251_200_000))
        #expect(QuotaCalendar.period(.month, containing: 1_709_251_200_000).start == 1_709_251_200_000)
        // 2023: 28 days.
        #expect(QuotaCalendar.period(.month, containing: 1_675_209_600_000 + 27 * day) == (1_675_209_600_000, 1_677_628_800_000))
        // 2000 is a leap year (divisible by 400), 2100 is not.
        #expect(QuotaCalendar.period(.month, containing: 949_363_200_000 + 28 * day) == (949_363_200_000, 951_868_800_000))
        #expect(QuotaCalendar.period(.month, containing: 4_105_123_200_000 + 27 * day) == (4_105_123_200_000, 4_107_542_400_000))
        // December rolls into the next year.
        #expect(QuotaCalendar.period(.month, containing: 1_735_689_600_000 - 1) == (1_733_011_200_000, 1_735_689_600_000))
        // Before the epoch.
        #expect(QuotaCalendar.period(.month, containing: -1) == (-31 * day, 0))
    }

    @Test func isoWeeksStartOnMondayAcrossYearBoundaries() {
        // Friday 2021-01-01 is in the week of Monday 2020-12-28.
        #expect(QuotaCalendar.period(.week, containing: 1_609_459_200_000) == (1_609_113_600_000, 1_609_718_400_000))
        // Thursday 2026-01-01 is in the week of Monday 2025-12-29.
        #expect(QuotaCalendar.period(.week, containing: 1_767_225_600_000) == (1_766_966_400_000, 1_767_571_200_000))
        // Monday 00:00 starts a new week; the millisecond before belongs to the previous one.
        #expect(QuotaCalendar.period(.week, containing: 1_704_067_200_000).start == 1_704_067_200_000)
        #expect(QuotaCalendar.period(.week, containing: 1_704_067_200_000 - 1).start == 1_704_067_200_000 - 7 * day)
        // The epoch (a Thursday) is in the week of Monday 1969-12-29.
        #expect(QuotaCalendar.period(.week, containing: 0) == (-259_200_000, 345_600_000))
    }

    @Test func extremeTimesDoNotTrap() {
        for period in QuotaPeriod.allCases {
            let low = QuotaCalendar.period(period, containing: .min)
            let high = QuotaCalendar.period(period, containing: .max)
            #expect(low.start < low.end)
            #expect(high.start < high.end)
        }
    }
}
