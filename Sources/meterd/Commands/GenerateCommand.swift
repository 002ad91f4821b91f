import ArgumentParser
import Foundation
import Logging
import MeterdCore
import MeterdKafka

/// `meterd generate`: a rate-controlled Kong / CloudEvents traffic
/// generator for the input topic, with chosen shares of AI calls,
/// duplicates, late and malformed records.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Produce realistic Kong (or CloudEvents) usage records to Kafka at a controlled rate."
    )

    @Option(name: .long, help: "Kafka bootstrap servers.")
    var bootstrap: String

    @Option(name: .long, help: "Topic to produce to.")
    var topic: String = "gateway.usage"

    @Option(name: .long, help: "Events per second (0 = as fast as possible).")
    var rate: Double = 1000

    @Option(name: .long, help: "Total events to send (default: until --duration, SIGINT or SIGTERM).")
    var events: Int?

    @Option(name: .long, help: "How long to send, e.g. 30s or 5m.")
    var duration: String?

    @Option(name: .long, help: "Number of gateway consumers (subjects team-1 … team-N).")
    var customers: Int = 20

    @Option(name: .long, help: "Share of records that are AI calls with an ai.proxy block.")
    var aiShare: Double = 0.4

    @Option(name: .long, help: "Share of records that are exact re-sends of a recent record.")
    var duplicates: Double = 0.01

    @Option(name: .long, help: "Share of records with an event time 15 s to 5 min in the past.")
    var late: Double = 0.02

    @Option(name: .long, help: "Share of records that are truncated, invalid JSON.")
    var malformed: Double = 0.005

    @Option(name: .long, help: "Record format: kong or cloudevents.")
    var format: String = "kong"

    @Option(name: .long, help: "Seed of the record contents (default: random, logged).")
    var seed: UInt64?

    @Option(name: .long, help: "Interval of the progress lines on stderr.")
    var progressInterval: String = "1s"

    func validate() throws {
        guard rate >= 0, rate.isFinite else { throw ValidationError("--rate must be ≥ 0") }
        if let events, events < 0 { throw ValidationError("--events must be ≥ 0") }
        guard customers >= 1 else { throw ValidationError("--customers must be ≥ 1") }
        for (name, share) in [("--ai-share", aiShare), ("--duplicates", duplicates), ("--late", late), ("--malformed", malformed)] {
            guard (0...1).contains(share) else { throw ValidationError("\(name) must be between 0 and 1") }
        }
        guard duplicates + malformed <= 1 else { throw ValidationError("--duplicates plus --malformed must be ≤ 1") }
        guard TrafficFormat(rawValue: format) != nil else { throw ValidationError("--format must be kong or cloudevents") }
        if let duration, try DurationOption.parse(duration, option: "--duration") <= .zero {
            throw ValidationError("--duration must be > 0")
        }
        guard try DurationOption.parse(progressInterval, option: "--progress-interval") > .zero else {
            throw ValidationError("--progress-interval must be > 0")
        }
    }

    func run() async throws {
        let logger = MeterdLogging.logger("meterd.generate")
        let seed = self.seed ?? UInt64.random(in: 0...UInt64.max)
        let profile = TrafficProfile(
            customers: customers, aiShare: aiShare, duplicateShare: duplicates, lateShare: late,
            malformedShare: malformed, format: TrafficFormat(rawValue: format) ?? .kong
        )
        let loop = GenerationLoop(
            bootstrap: bootstrap, topic: topic, rate: rate, maxEvents: events,
            maxDuration: try duration.map { try DurationOption.parse($0, option: "--duration") },
            progressInterval: try DurationOption.parse(progressInterval, option: "--progress-interval"),
            profile: profile, seed: seed, logger: logger
        )
        logger.info("generating traffic", metadata: [
            "meterd.bootstrap": "\(bootstrap)", "meterd.topic": "\(topic)", "meterd.rate": "\(rate)",
            "meterd.format": "\(format)", "meterd.seed": "\(seed)",
        ])
        let stopRequested = StopFlag()
        let signalWatch = Task {
            let signal = await ShutdownSignal.wait()
            logger.info("stop requested, flushing", metadata: ["meterd.signal": "\(signal)"])
            stopRequested.set()
        }
        defer { signalWatch.cancel() }
        let outcome = try await runOnDedicatedThread(name: "meterd-generate") {
            try loop.run { stopRequested.isSet }
        }
        print(outcome.tally.summaryLine(elapsedSeconds: outcome.elapsed.seconds, delivered: outcome.delivered, failed: outcome.failed))
        fflush(nil)
        if outcome.failed > 0 {
            logger.error("some records were not delivered", metadata: ["meterd.error": "\(outcome.firstError.map { "\($0)" } ?? "in flight")"])
            throw ExitCode.failure
        }
    }
}
