/// When the processor commits: every `commitInterval`, and sooner in two
/// cases where waiting for the timer only adds delay.
///
/// - **End of a backlog.** At least `backlogRecords` records read since the
///   last commit, and then a polling round that finds nothing new: the end
///   of a catch-up (a restart after downtime, a replay, a burst) becomes
///   readable — and stage 2 can start on it — without the timer's extra
///   wait. Traffic slower than `backlogRecords` per `commitInterval` never
///   gets there.
/// - **A quota event while the processor keeps up.** A gateway waits for
///   it, so the commit is brought forward, to no sooner than
///   `quotaSpacingMillis` after the previous commit started (bursts of quota
///   events, such as a new period's resets, cannot become a commit storm).
///   While a backlog is read (full polling rounds) the timer alone decides:
///   there, fewer and larger transactions are what keeps up.
struct CommitSchedule {
    let intervalMillis: Int64
    let backlogRecords: Int
    let quotaSpacingMillis: Int64
    /// When the next commit is due (epoch milliseconds).
    private(set) var dueMillis: Int64
    private var lastStartMillis: Int64
    private var recordsSinceCommit = 0
    private var quotaEventPending = false

    init(intervalMillis: Int64, nowMillis: Int64, backlogRecords: Int = 50_000) {
        self.intervalMillis = intervalMillis
        self.backlogRecords = backlogRecords
        quotaSpacingMillis = min(intervalMillis, 100)
        lastStartMillis = nowMillis
        dueMillis = nowMillis + intervalMillis
    }

    /// A quota event was emitted into the open (or next) transaction.
    mutating func quotaEventEmitted() {
        quotaEventPending = true
    }

    /// Records one polling round that took `taken` records; `full` when it
    /// stopped at its cap with more records waiting.
    mutating func roundFinished(taken: Int, full: Bool, nowMillis: Int64) {
        recordsSinceCommit += taken
        if taken == 0 && recordsSinceCommit >= backlogRecords {
            dueMillis = min(dueMillis, nowMillis)
        } else if quotaEventPending && !full {
            dueMillis = min(dueMillis, max(nowMillis, lastStartMillis + quotaSpacingMillis))
        }
    }

    func isDue(nowMillis: Int64) -> Bool { nowMillis >= dueMillis }

    /// A commit started now: it carries everything read and emitted so far.
    mutating func commitStarted(nowMillis: Int64) {
        lastStartMillis = nowMillis
        dueMillis = nowMillis + intervalMillis
        recordsSinceCommit = 0
        quotaEventPending = false
    }
}
