import ArgumentParser
import Foundation
import Logging
import MeterdConfig
import MeterdCore
import MeterdKafka
import MeterdPipeline
import Synchronization

/// `meterd run -c meterd.yaml`: one member of the processing group.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one member of the meterd processing group."
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "Stable identity of this member (default: group.instance.id, else host-pid).")
    var instanceId: String?

    @Option(name: .long, help: "Port of /metrics, /healthz and /readyz (0 picks a free port).")
    var httpPort: Int = 9464

    @Option(name: .long, help: "Processing threads; each is one member of the group with its own consumer and transactional producer, like Kafka Streams' num.stream.threads.")
    var threads: Int = 1

    @Flag(name: .long, help: "With --threads 2 or more: alternate threads run stage 1 only (decode, re-key) and stage 2 only (aggregate), so one consumer reads all input partitions of this process.")
    var splitStages = false

    func validate() throws {
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be between 1 and 64") }
        guard !splitStages || threads >= 2 else { throw ValidationError("--split-stages needs --threads 2 or more: one thread per stage at least") }
    }

    func run() async throws {
        MallocHugePages.restartIfWorthwhile()
        MallocArenas.limit()
        let keepsFreedMemory = MallocTrim.keepFreedMemory()
        let logger = MeterdLogging.logger("meterd.run")
        let configuration = try options.load()
        let identity = instanceId
            ?? configuration.kafka.properties["group.instance.id"]
            ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        if splitStages, configuration.kafka.inputKeyedBySubject {
            throw ValidationError("--split-stages: \(PipelineError.noStagesToSplit)")
        }
        let members = (0..<threads).map {
            ProcessingMember(
                index: $0, of: threads, identity: identity, configuration: configuration,
                stages: splitStages ? .split(memberIndex: $0) : .all
            )
        }
        let stats = PipelineStats(combining: members.map(\.stats))
        let stopRequested = StopFlag()
        let ops = try OpsServer(port: httpPort, stats: stats, logger: logger)
        logger.info("meterd run starting", metadata: [
            "meterd.config": "\(options.config)", "meterd.bootstrap": "\(configuration.kafka.bootstrap)",
            "meterd.instance": "\(identity)", "meterd.threads": "\(threads)", "meterd.split_stages": "\(splitStages)", "meterd.http_port": "\(ops.port)",
            "meterd.kafka": "\(KafkaConfiguration(configuration.kafka.properties))",
            "meterd.kafka_main_thread_nice": "\(configuration.kafka.mainThreadNice)",
            "meterd.malloc_huge_pages": "\(MallocHugePages.isRequested)",
            "meterd.malloc_keeps_freed_memory": "\(keepsFreedMemory)",
        ])
        let processing = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for member in members {
                    group.addTask {
                        do {
                            try await member.run(logger: logger, until: stopRequested)
                        } catch {
                            // One member down stops the others: the process
                            // exits and its partitions move to other members.
                            stopRequested.set()
                            throw error
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let signalWatch = Task {
            let signal = await ShutdownSignal.wait()
            logger.info("shutdown requested", metadata: ["meterd.signal": "\(signal)"])
            stopRequested.set()
        }
        do {
            try await processing.value
        } catch {
            logger.critical("processor stopped: \(error)")
            signalWatch.cancel()
            ops.stop()
            throw ExitCode.failure
        }
        signalWatch.cancel()
        ops.stop()
        logger.info("meterd run stopped")
    }
}

/// Set once by the signal handler, read by the processing loop.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}

/// One processing thread of `meterd run`: a group member of its own.
struct ProcessingMember: Sendable {
    let index: Int
    let isOneOfSeveral: Bool
    let instanceId: String
    let configuration: MeterdConfiguration
    let stages: ProcessingStages
    let stats = PipelineStats()

    /// With several threads each member gets its own instance id (and so its
    /// own transactional id) and, under static membership, its own
    /// `group.instance.id`: `<id>-1`, `<id>-2`, …
    init(index: Int, of count: Int, identity: String, configuration: MeterdConfiguration, stages: ProcessingStages) {
        self.index = index
        self.stages = stages
        isOneOfSeveral = count > 1
        var configuration = configuration
        if count > 1 {
            instanceId = "\(identity)-\(index + 1)"
            if let staticId = configuration.kafka.properties["group.instance.id"] {
                configuration.kafka.properties["group.instance.id"] = "\(staticId)-\(index + 1)"
            }
        } else {
            instanceId = identity
        }
        self.configuration = configuration
    }

    func run(logger: Logger, until stop: StopFlag) async throws {
        var logger = logger
        if isOneOfSeveral { logger[metadataKey: "meterd.member"] = "\(index + 1)" }
        try await runOnDedicatedThread(name: "meterd-loop-\(index + 1)") { [self, logger] in
            let processor = try Processor(configuration: configuration, instanceId: instanceId, stages: stages, stats: stats, logger: logger)
            try processor.run { stop.isSet }
        }
    }
}
