import MeterdPipeline

/// Takes the demo's snapshots from its live sources — the generator's
/// tally, the processor's counters and the output watcher — and keeps the
/// rates between successive snapshots.
struct DemoSampler {
    let broker: String
    let logPath: String?
    let inputTopics: [String]
    let produced: LiveGenerationTally
    let stats: PipelineStats
    let watcher: OutputWatcher
    private var producedRate = RateMeter()
    private var readRate = RateMeter()

    init(broker: String, logPath: String?, inputTopics: [String], produced: LiveGenerationTally, stats: PipelineStats, watcher: OutputWatcher) {
        self.broker = broker
        self.logPath = logPath
        self.inputTopics = inputTopics
        self.produced = produced
        self.stats = stats
        self.watcher = watcher
    }

    /// A snapshot `uptimeSeconds` after the start; with `average`, rates are
    /// over the whole run instead of since the previous snapshot.
    mutating func take(uptimeSeconds: Double, average: Bool = false) -> DemoSnapshot {
        let tally = produced.snapshot
        let pipeline = stats.snapshot
        let read = pipeline.recordsIn.values.reduce(0, +)
        producedRate.sample(count: tally.sent, at: uptimeSeconds)
        readRate.sample(count: read, at: uptimeSeconds)
        let seconds = max(uptimeSeconds, 0.001)
        return DemoSnapshot(
            uptimeSeconds: uptimeSeconds, broker: broker, logPath: logPath,
            produced: tally, producedPerSecond: average ? Double(tally.sent) / seconds : producedRate.perSecond,
            pipeline: pipeline, inputRecords: inputRecords(pipeline),
            readPerSecond: average ? Double(read) / seconds : readRate.perSecond,
            outputs: watcher.snapshot
        )
    }

    func inputRecords(_ pipeline: PipelineCounters) -> Int {
        inputTopics.reduce(0) { $0 + (pipeline.recordsIn[$1] ?? 0) }
    }
}
