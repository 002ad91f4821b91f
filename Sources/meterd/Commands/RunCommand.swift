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

    func run() async throws {
        let logger = MeterdLogging.logger("meterd.run")
        let configuration = try options.load()
        let identity = instanceId
            ?? configuration.kafka.properties["group.instance.id"]
            ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        let stats = PipelineStats()
        let stopRequested = StopFlag()
        let ops = try OpsServer(port: httpPort, stats: stats, logger: logger)
        logger.info("meterd run starting", metadata: [
            "meterd.config": "\(options.config)", "meterd.bootstrap": "\(configuration.kafka.bootstrap)",
            "meterd.instance": "\(identity)", "meterd.http_port": "\(ops.port)",
            "meterd.kafka": "\(KafkaConfiguration(configuration.kafka.properties))",
        ])
        let settings = configuration
        let processing = Task {
            try await runOnDedicatedThread(name: "meterd-loop") {
                let processor = try Processor(configuration: settings, instanceId: identity, stats: stats, logger: logger)
                try processor.run { stopRequested.isSet }
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
