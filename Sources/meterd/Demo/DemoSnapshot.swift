import MeterdPipeline

/// What the demo has read from its output topics so far.
struct DemoOutputs: Sendable {
    var rollups = RollupBoard()
    var quota = QuotaFeed()
    /// Output records that were not the CloudEvents expected.
    var unreadable = 0
}

/// Everything one frame of the demo's screen shows, taken at one instant.
struct DemoSnapshot: Sendable {
    var uptimeSeconds: Double
    var broker: String
    var logPath: String?
    var produced: GenerationTally
    var producedPerSecond: Double
    var pipeline: PipelineCounters
    /// Input records the processor read (all input topics).
    var inputRecords: Int
    /// Records read per second over all topics (input and repartition).
    var readPerSecond: Double
    var outputs: DemoOutputs
    /// What the demo is doing besides running (stopping…), or a remark for the summary.
    var note: String? = nil

    /// Records behind the high watermarks over every assigned partition.
    var lag: Int64 { pipeline.lag.values.reduce(0) { $0 + max(0, $1) } }

    var deadLetters: Int { pipeline.deadLetters.values.reduce(0, +) }

    /// `too_late 30, malformed_json 12`, largest first.
    var deadLetterBreakdown: String {
        pipeline.deadLetters.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            .map { "\($0.key) \(DemoFormat.count($0.value))" }
            .joined(separator: ", ")
    }
}

/// Events per second over the last few seconds of samples of a running
/// count: smooth enough for counts that move in bursts (the processor
/// publishes its counters about twice a second, between commits).
struct RateMeter {
    private var samples: [(seconds: Double, count: Int)] = []
    private let window: Double
    private(set) var perSecond: Double = 0

    init(window seconds: Double = 5) {
        window = seconds
    }

    /// Takes a sample at `seconds` (any monotonic origin).
    mutating func sample(count: Int, at seconds: Double) {
        samples.append((seconds, count))
        while samples.count > 2, seconds - samples[1].seconds >= window { samples.removeFirst() }
        if let first = samples.first, seconds > first.seconds {
            perSecond = Double(count - first.count) / (seconds - first.seconds)
        }
    }
}
