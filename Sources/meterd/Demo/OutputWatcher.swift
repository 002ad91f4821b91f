import Logging
import MeterdKafka
import Synchronization

/// Follows the demo's output topics the way a downstream service would: a
/// manually assigned `read_committed` consumer of the rollups and quota
/// topics from their beginning, decoding each CloudEvent into the shared
/// `DemoOutputs` that the screen reads.
///
/// `run` blocks; call it on a dedicated thread (`runOnDedicatedThread`).
final class OutputWatcher: Sendable {
    private let bootstrap: String
    private let rollupsTopic: String
    private let quotaTopic: String
    private let logger: Logger
    private let state = Mutex(DemoOutputs())

    init(bootstrap: String, rollupsTopic: String, quotaTopic: String, logger: Logger) {
        self.bootstrap = bootstrap
        self.rollupsTopic = rollupsTopic
        self.quotaTopic = quotaTopic
        self.logger = logger
    }

    var snapshot: DemoOutputs { state.withLock { $0 } }

    /// Reads until `stopRequested` returns true, then on until no record
    /// came for `quietPeriod` (so the processor's last commit is read too),
    /// for at most `drainLimit` more.
    func run(
        stopRequested: () -> Bool,
        quietPeriod: Duration = .seconds(1),
        drainLimit: Duration = .seconds(3)
    ) throws {
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(bootstrap: bootstrap, ["isolation.level": "read_committed", "auto.offset.reset": "earliest"]),
            logger: logger
        )
        defer { try? consumer.close() }
        let counts = try consumer.topicPartitionCounts(timeoutMillis: 10_000)
        var start: [TopicPartition: Int64] = [:]
        for topic in [rollupsTopic, quotaTopic] {
            for partition in 0..<Int32(counts[topic] ?? 0) { start[TopicPartition(topic, partition)] = KafkaOffset.beginning }
        }
        try consumer.assign(start)
        let decoder = DemoOutputDecoder()
        let clock = ContinuousClock()
        var stopSeen: ContinuousClock.Instant?
        var lastRecord = clock.now
        while true {
            var rollups: [RollupRow] = []
            var notices: [QuotaNotice] = []
            var unreadable = 0
            let taken = consumer.consumeBatch(
                maxRecords: 500,
                timeoutMillis: 100,
                onRecord: { record in
                    if record.topic == rollupsTopic {
                        if let row = decoder.rollup(key: record.key, value: record.value) { rollups.append(row) } else { unreadable += 1 }
                    } else if let notice = decoder.quota(value: record.value) {
                        notices.append(notice)
                    } else {
                        unreadable += 1
                    }
                },
                onEvent: { event in
                    if case .error(let error, let partition) = event {
                        logger.warning("output reader: \(error)", metadata: ["meterd.partition": "\(partition.map { "\($0)" } ?? "-")"])
                    }
                }
            )
            let now = clock.now
            if taken > 0 {
                lastRecord = now
                state.withLock { outputs in
                    for row in rollups { outputs.rollups.apply(row) }
                    for notice in notices { outputs.quota.apply(notice) }
                    outputs.unreadable += unreadable
                }
            }
            if stopSeen == nil, stopRequested() { stopSeen = now }
            if let stopSeen, now - max(lastRecord, stopSeen) >= quietPeriod || now - stopSeen >= drainLimit { break }
        }
    }
}
