import Logging
import MeterdCore
import MeterdKafka
import MeterdPipeline
import Synchronization

/// The running parts of a demo session — processor, output watcher and
/// traffic generator, each on its own thread — with their shared counters
/// and stop flags.
struct DemoParts: Sendable {
    let stats = PipelineStats()
    let produced = LiveGenerationTally()
    let failures = DemoFailures()
    let watcher: OutputWatcher
    /// Set by a signal or a failing part: the session ends.
    let stopSession = StopFlag()
    private let stopTrafficFlag = StopFlag()
    private let stopProcessor = StopFlag()
    private let stopWatcher = StopFlag()
    private(set) var processing: Task<Void, Never>?
    private(set) var watching: Task<Void, Never>?
    private(set) var traffic: Task<GenerationLoop.Outcome?, Never>?

    private init(watcher: OutputWatcher) {
        self.watcher = watcher
    }

    /// Starts every part; a part that fails records why and ends the session.
    static func start(
        configuration: MeterdConfiguration, loop makeLoop: (LiveGenerationTally) -> GenerationLoop, logger: Logger
    ) -> DemoParts {
        var parts = DemoParts(watcher: OutputWatcher(
            bootstrap: configuration.kafka.bootstrap, rollupsTopic: configuration.outputs.rollups,
            quotaTopic: configuration.outputs.quota, logger: logger
        ))
        let (stats, failures, session, stopProcessor) = (parts.stats, parts.failures, parts.stopSession, parts.stopProcessor)
        parts.processing = Task {
            do {
                try await runOnDedicatedThread(name: "meterd-demo-processor") {
                    let processor = try Processor(configuration: configuration, instanceId: "demo", stats: stats, logger: logger)
                    try processor.run { stopProcessor.isSet }
                }
            } catch {
                failures.record("processor", error, stopping: session)
            }
        }
        let (watcher, stopWatcher) = (parts.watcher, parts.stopWatcher)
        parts.watching = Task {
            do {
                try await runOnDedicatedThread(name: "meterd-demo-outputs") { try watcher.run(stopRequested: { stopWatcher.isSet }) }
            } catch {
                failures.record("output reader", error, stopping: session)
            }
        }
        let (loop, stopTraffic) = (makeLoop(parts.produced), parts.stopTrafficFlag)
        parts.traffic = Task {
            do {
                return try await runOnDedicatedThread(name: "meterd-demo-traffic") { try loop.run { stopTraffic.isSet } }
            } catch {
                failures.record("traffic generator", error, stopping: session)
                return nil
            }
        }
        return parts
    }

    /// Stops the traffic generator; returns its outcome once it has flushed.
    func stopTraffic() async -> GenerationLoop.Outcome? {
        stopTrafficFlag.set()
        return await traffic?.value ?? nil
    }

    /// Stops the processor (it commits its open transaction and leaves the
    /// group), then the watcher once it has read that last commit.
    /// - Throws: the first failure of any part.
    func stopProcessorThenWatcher() async throws {
        stopProcessor.set()
        await processing?.value
        stopWatcher.set()
        await watching?.value
        if let failure = failures.first { throw failure }
    }
}

/// The first error of any part of the demo, which stops the session.
final class DemoFailures: Sendable {
    private let failures = Mutex<[DemoFailure]>([])

    func record(_ part: String, _ error: any Error, stopping session: StopFlag) {
        failures.withLock { $0.append(DemoFailure(part: part, message: "\(error)")) }
        session.set()
    }

    var first: DemoFailure? { failures.withLock { $0.first } }
}

/// Why the demo could not run to its end.
struct DemoFailure: Error, CustomStringConvertible {
    let part: String
    let message: String
    var description: String { "meterd demo: the \(part) stopped: \(message)" }
}
