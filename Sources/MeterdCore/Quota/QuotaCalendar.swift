/// UTC calendar periods of quota usage in event time: hour, day, ISO week
/// (Monday 00:00 UTC) and calendar month.
public enum QuotaCalendar {
    /// Event times are clamped to this range (about ±290,000 years) so month
    /// arithmetic cannot overflow on absurd input.
    static let limitMillis: Int64 = 9_000_000_000_000_000

    private static let hourMillis: Int64 = 3_600_000
    private static let weekMillis: Int64 = 7 * CivilDate.millisPerDay
    /// 1970-01-01 was a Thursday; the Monday before it is day −3.
    private static let mondayOffsetMillis: Int64 = 3 * CivilDate.millisPerDay

    /// `[start, end)` in epoch milliseconds of the period containing `eventTimeMillis`.
    public static func period(_ period: QuotaPeriod, containing eventTimeMillis: Int64) -> (start: Int64, end: Int64) {
        let t = Swift.min(Swift.max(eventTimeMillis, -limitMillis), limitMillis)
        switch period {
        case .hour:
            let start = TimeArithmetic.alignDown(t, to: hourMillis)
            return (start, start + hourMillis)
        case .day:
            let start = TimeArithmetic.alignDown(t, to: CivilDate.millisPerDay)
            return (start, start + CivilDate.millisPerDay)
        case .week:
            let start = TimeArithmetic.alignDown(t + mondayOffsetMillis, to: weekMillis) - mondayOffsetMillis
            return (start, start + weekMillis)
        case .month:
            let date = CivilDate(daysSinceEpoch: TimeArithmetic.floorDivide(t, CivilDate.millisPerDay))
            let first = CivilDate(year: date.year, month: date.month, day: 1)
            return (first.daysSinceEpoch * CivilDate.millisPerDay, first.startOfNextMonth.daysSinceEpoch * CivilDate.millisPerDay)
        }
    }
}
