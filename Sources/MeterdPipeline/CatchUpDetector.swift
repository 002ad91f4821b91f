/// Notices the moment a processor has worked through a backlog, so it can
/// commit at once instead of waiting for the rest of `commitInterval`.
///
/// A backlog here is at least `minimumBacklogRecords` records read since the
/// last commit; it is done when a polling round then finds nothing for its
/// whole wait. Committing right away makes the results of a catch-up (a
/// restart after downtime, a replay, a burst) readable — and lets the next
/// stage start on them — without the commit timer's extra wait. Traffic
/// slower than `minimumBacklogRecords` per `commitInterval` never reaches
/// the threshold and keeps committing on the timer alone.
struct CatchUpDetector {
    /// Records since the last commit that make a backlog: small bursts are
    /// left to the timer.
    let minimumBacklogRecords: Int
    private var recordsSinceCommit = 0

    init(minimumBacklogRecords: Int = 50_000) {
        self.minimumBacklogRecords = minimumBacklogRecords
    }

    /// Records one polling round; returns true when it ended a backlog (the
    /// caller commits now and then calls `committed()`).
    mutating func roundFinished(taken: Int) -> Bool {
        recordsSinceCommit += taken
        return taken == 0 && recordsSinceCommit >= minimumBacklogRecords
    }

    /// A commit started: only what is read after it counts.
    mutating func committed() {
        recordsSinceCommit = 0
    }
}
