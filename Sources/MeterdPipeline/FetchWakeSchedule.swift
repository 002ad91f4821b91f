/// When a member should wake its consumer's fetcher (`FetchWaker`): after a
/// stretch of catching up, once the consumer queue is almost empty, because
/// librdkafka 2.0 may then have stopped fetching at its queue limit.
///
/// The stretch is counted in records and in value bytes. Stage 2 reads the
/// hop's packed records (~90 KB each): its 8 MiB queue holds ~90 of them, so
/// a count of records alone never reached a wake-up, and each refill of the
/// queue came up to a second late (BENCHMARKS.md, "End-to-end pipeline,
/// round 13").
struct FetchWakeSchedule {
    /// Records consumed between two wake-ups at most: live traffic of a few
    /// hundred records a second wakes the fetcher every few seconds.
    static let recordsPerWake = 2_000
    /// Value bytes consumed between two wake-ups at most: a quarter of the
    /// default `queued.max.messages.kbytes` (8 MiB).
    static let bytesPerWake = 2 << 20
    /// A queue shorter than this counts as drained.
    static let drainedQueueRecords = 2_000

    private(set) var records = 0
    private(set) var bytes = 0

    /// Counts what one polling round took.
    mutating func took(records: Int, bytes: Int) {
        self.records &+= records
        self.bytes &+= bytes
    }

    /// Whether to wake the fetcher now, with `queuedRecords` still queued.
    func isDue(queuedRecords: Int) -> Bool {
        (records >= Self.recordsPerWake || bytes >= Self.bytesPerWake) && queuedRecords < Self.drainedQueueRecords
    }

    /// Starts the next stretch after a wake-up.
    mutating func woke() {
        records = 0
        bytes = 0
    }
}
