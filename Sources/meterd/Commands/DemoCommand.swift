import ArgumentParser
import Foundation
import Logging
import MeterdConfig
import MeterdCore
import MeterdKafka

/// `meterd demo`: the zero-setup showcase (SPEC section 5). Starts the
/// embedded broker in-process with the topics of `topics/`, one processor,
/// and realistic Kong traffic for six customers, and shows rollups and quota
/// events live until Ctrl-C or `--duration`; then prints a summary.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Zero-setup showcase: embedded broker, sample Kong traffic, the processor, and a live view of rollups and quota events."
    )

    @Option(name: [.short, .customLong("config")], help: "Run this configuration instead of the built-in one (its kafka.bootstrap is ignored).")
    var config: String?

    @Option(name: .long, help: "Kong records per second sent by the traffic generator.")
    var rate: Double = 300

    @Option(name: .long, help: "Stop after this long, e.g. 2m (default: until Ctrl-C).")
    var duration: String?

    @Flag(name: .long, help: "Print plain-text snapshots instead of redrawing the screen (automatic when stdout is not a terminal).")
    var plain = false

    @Option(name: .long, help: "Interval between frames (default: 1s live, 5s plain).")
    var refresh: String?

    @Option(name: .long, help: "File for the log lines of the broker, processor and generator (default: a file in the temporary directory).")
    var logFile: String?

    @Option(name: .long, help: "Seed of the generated traffic (default: random).")
    var seed: UInt64?

    @Option(name: .long, help: "Folder of topic definitions (default: ./topics, or the one next to the executable).")
    var topicsDir: String?

    @Flag(name: .long, help: "Print the built-in demo configuration and exit.")
    var printConfig = false

    func validate() throws {
        guard rate > 0, rate <= 20_000 else { throw ValidationError("--rate must be between 1 and 20000 records per second") }
        if let duration, try DurationOption.parse(duration, option: "--duration") <= .zero {
            throw ValidationError("--duration must be > 0")
        }
        if let refresh, try DurationOption.parse(refresh, option: "--refresh") < .milliseconds(100) {
            throw ValidationError("--refresh must be at least 100ms")
        }
    }

    func run() async throws {
        if printConfig {
            print(DemoConfiguration.builtInYAML)
            return
        }
        MallocHugePages.restartIfWorthwhile()
        MallocArenas.limit()
        MallocTrim.keepFreedMemory()
        let configuration = try loadConfiguration()
        let live = !plain && DemoTerminal.standardOutputIsTerminal
        let logPath = logFile ?? DemoLogFile.defaultPath
        let terminalErrors: FileHandle
        do {
            terminalErrors = try DemoLogFile.redirectStandardError(to: logPath)
        } catch {
            FileHandle.standardError.write(Data("meterd demo: \(error)\n".utf8))
            throw ExitCode.failure
        }
        let terminal = DemoTerminal(live: live)
        terminal.print(["meterd demo: starting the embedded broker and the processor; logs go to \(logPath)"])
        do {
            let summary = try await runSession(configuration: configuration, terminal: terminal, live: live, logPath: logPath)
            terminal.print(summary)
        } catch {
            DemoTerminal.restoreCursor()
            terminalErrors.write(Data("\(error)\nlogs: \(logPath)\n".utf8))
            throw ExitCode.failure
        }
    }

    private func runSession(configuration: MeterdConfiguration, terminal: DemoTerminal, live: Bool, logPath: String) async throws -> [String] {
        let logger = MeterdLogging.logger("meterd.demo")
        let broker = try EmbeddedBroker(brokers: 1, logger: logger)
        let created = try EmbeddedBrokerTopics.create(
            on: broker, directory: topicsDir ?? TopicCatalog.defaultDirectory(), appId: configuration.appId,
            extra: DemoConfiguration.requiredTopics(of: configuration), logger: logger
        )
        var settings = configuration
        settings.kafka.bootstrap = broker.bootstrap
        logger.info("demo broker ready", metadata: ["meterd.bootstrap": "\(broker.bootstrap)", "meterd.topics": "\(created.joined(separator: ","))"])
        let seed = self.seed ?? UInt64.random(in: 0...UInt64.max)
        let session = DemoSession(
            configuration: settings,
            layout: DemoLayout(configuration: settings, configName: config ?? DemoConfiguration.builtInName),
            rate: rate,
            duration: try duration.map { try DurationOption.parse($0, option: "--duration") },
            refresh: try DurationOption.parse(refresh ?? (live ? "1s" : "5s"), option: "--refresh"),
            terminal: terminal, logPath: logPath, seed: seed, logger: logger
        )
        let snapshot = try await session.run()
        withExtendedLifetime(broker) {}
        return DemoScreen.summary(snapshot, layout: session.layout)
    }

    /// The configuration to run; prints every problem and exits 1 when it is unusable.
    private func loadConfiguration() throws -> MeterdConfiguration {
        let configuration: MeterdConfiguration
        do {
            configuration = try DemoConfiguration.load(path: config)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode.failure
        }
        guard !configuration.kafka.inputKeyedBySubject else {
            FileHandle.standardError.write(Data("meterd demo: kafka.inputKeyedBySubject must be false: the demo's generator writes unkeyed Kong records\n".utf8))
            throw ExitCode.failure
        }
        return configuration
    }
}
