import ArgumentParser
import Foundation
import Logging
import MeterdConfig
import MeterdKafka

/// `meterd broker`: the embedded Kafka-protocol broker (librdkafka's mock
/// cluster) for local work and tests.
///
/// Prints the bootstrap address as the first line of stdout, creates every
/// topic of `topics/` (internal ones for `--app-id`) plus `--topics`, then
/// serves until SIGINT or SIGTERM and exits 0.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run the embedded Kafka-protocol broker (librdkafka mock cluster) on 127.0.0.1."
    )

    @Option(name: .long, help: "Number of brokers in the cluster.")
    var brokers: Int = 1

    @Option(name: .long, help: "Extra topics as name:partitions (repeatable, or comma-separated).")
    var topics: [String] = []

    @Option(name: .long, help: "Folder of topic definitions (default: ./topics, or the one next to the executable).")
    var topicsDir: String?

    @Option(name: .long, help: "appId whose internal topics are created.")
    var appId: String = "meterd"

    @Flag(name: .long, help: "Read fault commands from stdin, one a line ('fail Produce 3 NOT_ENOUGH_REPLICAS', 'down 2', 'up 2', 'rtt 1 200', 'leader TOPIC 0 2', 'clear Produce'); each is answered on stdout with 'ok …' or 'error: …'.")
    var faultsFromStdin = false

    func validate() throws {
        guard (1...16).contains(brokers) else { throw ValidationError("--brokers must be between 1 and 16") }
        _ = try extraTopics()
    }

    func run() async throws {
        let logger = MeterdLogging.logger("meterd.broker")
        let broker = try EmbeddedBroker(brokers: brokers, logger: logger)
        let created = try EmbeddedBrokerTopics.create(
            on: broker, directory: topicsDir ?? TopicCatalog.defaultDirectory(), appId: appId,
            extra: try extraTopics().map { (name: $0.0, partitions: $0.1) }, logger: logger
        )
        // Printed once every topic exists, so a reader can use it at once.
        print(broker.bootstrap)
        fflush(nil)
        logger.info("embedded broker ready", metadata: [
            "meterd.bootstrap": "\(broker.bootstrap)",
            "meterd.brokers": "\(brokers)",
            "meterd.topics": "\(created.joined(separator: ","))",
        ])

        if faultsFromStdin {
            BrokerFault.serveStandardInput(broker) { line in
                logger.info("fault injected", metadata: ["meterd.fault": "\(line)"])
            }
        }
        let signal = await ShutdownSignal.wait()
        logger.info("stopping embedded broker", metadata: ["meterd.signal": "\(signal)"])
        withExtendedLifetime(broker) {}
    }

    private func extraTopics() throws -> [(String, Int)] {
        try topics.flatMap { $0.split(separator: ",") }.map { spec in
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let partitions = Int(parts[1]), partitions > 0 else {
                throw ValidationError("--topics expects name:partitions, got '\(spec)'")
            }
            return (String(parts[0]), partitions)
        }
    }
}
