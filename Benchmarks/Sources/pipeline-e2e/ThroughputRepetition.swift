import MeterdCore

/// One of the throughput phase's repeated runs of meterd: its own consumer
/// group, internal and output topics, and log files, so every run reads the
/// whole backlog from the start. Run 1 keeps the names the single-run bench
/// always used.
struct ThroughputRepetition {
    let number: Int

    static func all(_ count: Int) -> [ThroughputRepetition] { (1...max(1, count)).map(ThroughputRepetition.init) }

    private var suffix: String { number == 1 ? "" : "-r\(number)" }
    var logSuffix: String { suffix }
    var meterdAppId: String { "bench\(suffix)" }
    var meterdOutputs: OutputTopics {
        number == 1 ? OutputTopics()
            : OutputTopics(rollups: "usage\(suffix).rollups", quota: "usage\(suffix).quota", dlq: "usage\(suffix).dlq")
    }

    /// The run with the median rate (the lower middle one of an even count).
    static func median(_ runs: [ThroughputResult]) -> ThroughputResult? {
        guard !runs.isEmpty else { return nil }
        return runs.sorted { $0.rate < $1.rate }[(runs.count - 1) / 2]
    }
}
