import ArgumentParser

/// The `meterd` command line: one root command with a subcommand per SPEC
/// section 5 entry.
@main
struct Meterd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meterd",
        abstract: "Exactly-once usage metering for API and AI gateways, on Kafka.",
        subcommands: [RunCommand.self, BrokerCommand.self, TopicsCommand.self, StatusCommand.self, ValidateCommand.self, GenerateCommand.self, ReplayCommand.self, DemoCommand.self]
    )
}
