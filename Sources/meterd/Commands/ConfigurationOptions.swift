import ArgumentParser
import Foundation
import MeterdConfig
import MeterdCore
import MeterdKafka

/// The `-c/--config` and `--bootstrap` options the commands that talk to
/// the cluster share, and the one way they load the configuration.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: [.short, .customLong("config")], help: "The configuration file.")
    var config: String = "meterd.yaml"

    @Option(name: .long, help: "Override kafka.bootstrap of the configuration.")
    var bootstrap: String?

    /// The configuration with `--bootstrap` applied; prints every problem
    /// and exits 1 when the file is unreadable or invalid.
    func load() throws -> MeterdConfiguration {
        var configuration: MeterdConfiguration
        do {
            configuration = try ConfigLoader.load(contentsOfFile: config)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode.failure
        }
        if let bootstrap { configuration.kafka.bootstrap = bootstrap }
        return configuration
    }
}

extension MeterdConfiguration {
    /// The `kafka:` block's librdkafka properties with `bootstrap.servers` set.
    var clientConfiguration: KafkaConfiguration {
        KafkaConfiguration(bootstrap: kafka.bootstrap, kafka.properties)
    }
}
