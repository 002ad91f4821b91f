/// When a member should wake its consumer's fetcher (`FetchWaker`).
///
/// librdkafka 2.0 stops fetching a partition while the consumer queue holds
/// `queued.max.messages.kbytes` (or `queued.min.messages` records) and looks
/// again only when its broker thread wakes up. Without help the queue runs
/// empty before the next fetch is even sent: stage 1 then waits a fetch round
/// trip every ~8 MiB, and stage 2, whose packed hop records (~90 KB each) never
/// added up to a count of records, waited up to a second for each refill
/// (BENCHMARKS.md, "End-to-end pipeline, round 13").
///
/// So after a stretch of reading (a quarter of the byte limit, or 2,000
/// records), once the queue has fallen to half of its limits (its bytes
/// estimated from the stretch's mean record size), the fetcher is woken:
/// it fetches again while half a queue is still there to work on.
struct FetchWakeSchedule {
    /// Records consumed between two wake-ups at most: live traffic of a few
    /// hundred records a second wakes the fetcher every few seconds.
    static let recordsPerWake = 2_000

    /// The consumer's `queued.max.messages.kbytes`, in bytes (librdkafka counts 1,000 bytes a kbyte).
    let queueLimitBytes: Int
    /// The consumer's `queued.min.messages`.
    let queueLimitRecords: Int

    private(set) var records = 0
    private(set) var bytes = 0

    init(queueLimitKBytes: Int = 8_192, queueLimitRecords: Int = 100_000) {
        queueLimitBytes = max(1, queueLimitKBytes) * 1_000
        self.queueLimitRecords = max(1, queueLimitRecords)
    }

    /// Counts what one polling round took.
    mutating func took(records: Int, bytes: Int) {
        self.records &+= records
        self.bytes &+= bytes
    }

    /// Whether to wake the fetcher now, with `queuedRecords` still queued.
    func isDue(queuedRecords: Int) -> Bool {
        guard records > 0, records >= Self.recordsPerWake || bytes >= queueLimitBytes / 4 else { return false }
        let meanRecordBytes = bytes / records
        return queuedRecords < queueLimitRecords / 2 && queuedRecords &* meanRecordBytes < queueLimitBytes / 2
    }

    /// Starts the next stretch after a wake-up.
    mutating func woke() {
        records = 0
        bytes = 0
    }
}
