import ArgumentParser

/// `meterd broker`: the embedded Kafka-protocol broker for local work.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "broker", abstract: "Run the embedded broker (librdkafka mock cluster).")
    func run() async throws {}
}
