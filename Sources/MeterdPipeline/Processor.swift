import Logging
import MeterdCore
import MeterdKafka
#if canImport(Glibc)
import Glibc
#endif

/// One member of the meterd processing group (`meterd run`): stage 1 decodes
/// input records and re-keys usage by customer into `<appId>-repartition`;
/// stage 2 aggregates each repartition partition and emits rollups, quota
/// events and dead letters — all exactly once through Kafka transactions
/// that also carry the changelog and the input offsets (KIP-447).
///
/// Confined to the thread that calls `run` (see `runOnDedicatedThread`):
/// librdkafka calls its rebalance listener from inside `poll`.
public final class Processor: RebalanceListener {
    let configuration: MeterdConfiguration
    let kafka: KafkaConfiguration
    let extractor: UsageExtractor
    /// Decoded groupBy strings shared by this processor's extractions (it runs on one thread).
    var textCache = UsageExtractor.TextCache()
    /// The usage record every input record is decoded into (its arrays are reused).
    var extracted = UsageRecord.empty
    /// Stage 1's samples of `extracted`, encoded for the repartition topic.
    var extractedSamples = EncodedSamples()
    let compiled: CompiledConfiguration
    let encoder: CloudEventEncoder
    let logger: Logger
    let stats: PipelineStats
    let transactionalId: String
    /// Topic names, built once: they are compared and sent per record.
    let repartitionTopic: String
    let changelogTopic: String
    /// The topic whose partitions carry aggregation state.
    let taskTopic: String
    /// The stages this member runs (its subscription).
    let stages: ProcessingStages
    var consumer: KafkaConsumer!
    var producer: KafkaProducer
    var tasks: [Int32: AggregationTask] = [:]
    /// Next offset per assigned input partition, and whether it moved since the last commit.
    var inputPositions: [TopicPartition: Int64] = [:]
    /// Per input partition, the last offset an ops replay re-reads.
    var inputReplayedThrough: [TopicPartition: Int64] = [:]
    var movedInputs: Set<TopicPartition> = []
    /// Input partitions currently assigned: records of others (still in
    /// librdkafka's queue after a revoke) are not processed.
    var assignedInputs: Set<TopicPartition> = []
    /// The last input partition stage 1 found in `assignedInputs` and put in
    /// `movedInputs`; cleared whenever either set loses members.
    var stage1Memo = Stage1Memo()
    /// Holds back input partitions that start fetching long before the
    /// others of their assignment, or run ahead of them in event time right
    /// after it (`InputStartAlignment`).
    var startAlignment: InputStartAlignment
    var transactionOpen = false
    var counters = PipelineCounters()
    /// (meter, provider, model) already logged as unpriced; bounded.
    var loggedUnpriced: Set<UnpricedUsage> = []
    var changelogPartitions: Int32 = 1
    var commitSchedule = CommitSchedule(intervalMillis: 1_000, nowMillis: 0)
    var lastAdvanceMillis: Int64 = 0
    var lastPublishMillis: Int64 = 0
    var lastStateSizeMillis: Int64 = 0
    var needsReset = false
    lazy var originals = OriginalRecordFetcher(kafka: kafka, logger: logger)
    /// Dead letters decided after repartitioning whose original bytes are
    /// read back in one pass at the next commit.
    var pendingDeadLetters: [PendingDeadLetter] = []
    /// Stage 1's usage records not yet sent, packed per repartition partition
    /// (indexed by partition).
    var pendingRepartition: [RepartitionBatchWriter?] = []
    /// Records read per topic in the current polling round, added to
    /// `counters` once per round rather than hashing the topic per record.
    var roundRecordsIn = TopicTally()
    /// Stage 2's decoder of packed repartition records (reused storage).
    var repartitionReader = RepartitionEntryReader()
    var repartitionPartitions: Int32 = 1
    /// The commit whose acknowledgements and `EndTxn` are still running.
    var backgroundCommit: BackgroundCommit?
    /// Records emitted while `backgroundCommit` runs: they open the next
    /// transaction once it has committed.
    var deferredRecords: [OutgoingRecord] = []
    /// Key and value bytes of `deferredRecords`.
    var deferredBytes = 0
    /// Records of the commit cut being emitted, sent together at its end
    /// (see `RegistrationOrder`); nil outside a cut.
    var cutRecords: [OutgoingRecord]?
    /// Partitions per topic from the metadata read at start, for
    /// `RegistrationOrder` (records sent by key).
    var partitionCounts: [String: Int32] = [:]
    lazy var fetchWaker = FetchWaker(consumer: consumer)
    /// Value bytes taken in the current polling round.
    var roundBytesIn = 0
    var fetchWakeSchedule: FetchWakeSchedule
    /// Which assigned partition wakes the fetcher next.
    var wakeCursor = 0

    /// - Parameters:
    ///   - instanceId: stable identity of this member (e.g. `group.instance.id`);
    ///     it names the transactional id, so a restarted member fences its
    ///     predecessor at once.
    ///   - stages: which stages this member runs; anything but `.all` needs
    ///     the repartition hop (input not keyed by subject).
    public init(
        configuration: MeterdConfiguration, instanceId: String, stages: ProcessingStages = .all,
        stats: PipelineStats, logger: Logger
    ) throws {
        if stages != .all, configuration.kafka.inputKeyedBySubject { throw PipelineError.noStagesToSplit }
        self.configuration = configuration
        self.stages = stages
        self.logger = logger
        self.stats = stats
        extractor = try UsageExtractor(configuration: configuration)
        compiled = CompiledConfiguration(configuration)
        encoder = CloudEventEncoder(appId: configuration.appId)
        transactionalId = "\(configuration.appId)-\(instanceId)"
        repartitionTopic = configuration.repartitionTopic
        changelogTopic = configuration.changelogTopic
        taskTopic = configuration.kafka.inputKeyedBySubject
            ? configuration.kafka.inputTopics.first ?? configuration.repartitionTopic
            : configuration.repartitionTopic
        var base = configuration.kafka.properties
        base["bootstrap.servers"] = configuration.kafka.bootstrap
        // Small transactional requests (AddPartitionsToTxn, EndTxn) must not
        // wait for Nagle's algorithm: it adds ~40 ms to every commit.
        if base["socket.nagle.disable"] == nil { base["socket.nagle.disable"] = "true" }
        var kafka = KafkaConfiguration(base)
        kafka.mainThreadNice = Int32(clamping: configuration.kafka.mainThreadNice)
        self.kafka = kafka
        producer = try Self.makeProducer(configuration: configuration, kafka: kafka, transactionalId: transactionalId, logger: logger)
        let consumerProperties: [String: String] = [
            "group.id": configuration.appId,
            "isolation.level": "read_committed",
            "enable.auto.commit": "false",
            "auto.offset.reset": "error",
            "partition.assignment.strategy": base["partition.assignment.strategy"] ?? "cooperative-sticky",
            // Small per-partition fetches interleave the partitions finely, so
            // a backlog is read in roughly event-time order instead of minutes
            // of one partition at a time (which would turn most events late).
            "max.partition.fetch.bytes": base["max.partition.fetch.bytes"] ?? "65536",
            // Prefetched records (decompressed) the consumer may hold: with
            // `FetchWaker` a small queue keeps up, and bounds memory.
            "queued.max.messages.kbytes": base["queued.max.messages.kbytes"] ?? "8192",
            // How long a fetch that finds nothing waits. A real broker answers
            // as soon as data arrives, so a short wait only adds a few idle
            // requests; the embedded broker always waits this long (see
            // docs/pipeline.md), which delayed stage 2 after every commit by
            // up to librdkafka's default 500 ms.
            "fetch.wait.max.ms": base["fetch.wait.max.ms"] ?? "\(Self.fetchWaitMillis(configuration))",
        ]
        startAlignment = InputStartAlignment(graceMillis: configuration.windows.graceMillis)
        fetchWakeSchedule = FetchWakeSchedule(
            queueLimitKBytes: consumerProperties["queued.max.messages.kbytes"].flatMap { Int($0) } ?? 65_536,
            queueLimitRecords: base["queued.min.messages"].flatMap { Int($0) } ?? 100_000
        )
        consumer = try KafkaConsumer(configuration: kafka.forConsumer.merging(consumerProperties), listener: self, logger: logger)
    }

    /// True when the input is keyed by subject and the repartition hop is
    /// skipped: each input partition is aggregated where it is read.
    var aggregatesInput: Bool { configuration.kafka.inputKeyedBySubject }

    func isTaskPartition(_ tp: TopicPartition) -> Bool { tp.topic == taskTopic }

    /// Runs until `shouldStop` returns true, then commits what is open and
    /// leaves the group.
    public func run(shouldStop: () -> Bool) throws {
        let counts = try consumer.topicPartitionCounts(timeoutMillis: 10_000)
        changelogPartitions = Int32(counts[changelogTopic] ?? 0)
        partitionCounts = counts.mapValues { Int32(clamping: $0) }
        guard changelogPartitions > 0 else {
            throw PipelineError.missingTopic(changelogTopic)
        }
        if aggregatesInput {
            let inputPartitions = Int32(counts[taskTopic] ?? 0)
            guard inputPartitions <= changelogPartitions else {
                throw PipelineError.partitionMismatch(taskTopic, inputPartitions, changelogTopic, changelogPartitions)
            }
            try consumer.subscribe([taskTopic])
        } else {
            guard let count = counts[repartitionTopic], count > 0 else { throw PipelineError.missingTopic(repartitionTopic) }
            repartitionPartitions = Int32(count)
            try consumer.subscribe(stages.subscription(inputTopics: configuration.kafka.inputTopics, repartitionTopic: repartitionTopic))
        }
        logger.info("joined processing group", metadata: [
            "meterd.group": "\(configuration.appId)", "meterd.transactional_id": "\(transactionalId)", "meterd.stages": "\(stages)",
            "meterd.inputs": "\(configuration.kafka.inputTopics.joined(separator: ","))",
        ])
        commitSchedule = CommitSchedule(intervalMillis: configuration.commitIntervalMillis, nowMillis: Self.nowMillis())
        while !shouldStop() {
            try runOnce()
        }
        logger.info("stopping: committing and leaving the group")
        commitOrReset()
        try? consumer.close()
        commitOrReset()
        publish(force: true)
    }

    /// One iteration: take a batch, process it, punctuate, maybe commit.
    func runOnce() throws {
        var taken = 0
        repeat {
            let count = consumer.consumeBatch(
                maxRecords: 1_000,
                timeoutMillis: taken == 0 ? 20 : 0,
                onRecord: { record in handle(record) },
                onEvent: { event in handle(event) }
            )
            taken += count
            if count == 0 { break }
        } while taken < Self.recordsPerRound && !needsReset && !deferralFull
        roundRecordsIn.drain(into: &counters.recordsIn)
        commitSchedule.roundFinished(taken: taken, full: taken >= Self.recordsPerRound, nowMillis: Self.nowMillis())
        emitRepartitionBatches()
        if startAlignment.isActive { resumeAlignedInputs() }
        wakeFetcherIfDrained(taken: taken)
        if backgroundCommit == nil { producer.poll(timeoutMillis: 0) }
        pollBackgroundCommit(waiting: deferralFull)
        let now = Self.nowMillis()
        if now - lastAdvanceMillis >= 100 {
            lastAdvanceMillis = now
            for task in tasks.values where task.aggregator.advance(wallClockMillis: now) {
                task.hasUncheckpointedChanges = true
            }
        }
        if needsReset {
            commitOrReset()
        } else if commitSchedule.isDue(nowMillis: now) && backgroundCommit == nil {
            commitSchedule.commitStarted(nowMillis: now)
            commitInBackgroundOrReset()
        }
        publish(force: false)
    }

    func handle(_ record: borrowing BorrowedRecord) {
        roundRecordsIn.add(record.topic)
        roundBytesIn &+= record.valueByteCount
        if record.topic == repartitionTopic {
            aggregate(record)
        } else if aggregatesInput {
            aggregateInput(record)
        } else {
            repartition(record)
        }
    }

    func handle(_ event: ConsumerNotice) {
        switch event {
        case .endOfPartition:
            break
        case .error(let error, let partition):
            if error.name == "_AUTO_OFFSET_RESET" || error.name == "OFFSET_OUT_OF_RANGE" {
                counters.dataLossEvents += 1
                logger.error("DATA LOSS: position out of range (deleted by retention); resuming at the earliest retained record", metadata: [
                    "meterd.partition": "\(partition.map { "\($0)" } ?? "?")", "meterd.error": "\(error)",
                ])
                if let partition { try? consumer.seek([partition: KafkaOffset.beginning], timeoutMillis: 5_000) }
            } else if error.isFatal {
                logger.critical("fatal consumer error: \(error)")
                needsReset = true
            } else {
                logger.warning("consumer error: \(error)")
            }
        }
    }

    static func nowMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

extension Processor {
    /// Records, and their bytes, that may wait for a background commit
    /// before processing waits for it too: bounds the memory a slow commit
    /// can take (a packed repartition record is up to 128 KiB).
    static let maxDeferredRecords = 50_000
    static let maxDeferredBytes = 32 * 1024 * 1024

    var deferralFull: Bool { deferredRecords.count >= Self.maxDeferredRecords || deferredBytes >= Self.maxDeferredBytes }

    /// How often the processing thread hands its counters to `/metrics`: a
    /// copy under a lock, cheap enough that progress shows within 0.1 s.
    static let publishIntervalMillis: Int64 = 100

    /// Records one polling round takes at most before punctuating and
    /// checking the commit timer.
    static let recordsPerRound = 5_000
}
