import ArgumentParser
import Foundation
import MeterdConfig
import MeterdCore
import MeterdKafka

/// `meterd topics`: the project's topic definitions against a cluster.
struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Create or check the topics of topics/.",
        subcommands: [TopicsApplyCommand.self]
    )
}

/// `meterd topics apply -c meterd.yaml`: creates missing topics and reports
/// drift (partitions, configs) of existing ones; exits 1 on any problem.
struct TopicsApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create missing topics of topics/ and report drift of existing ones."
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "Folder of topic definitions (default: ./topics, or the one next to the executable).")
    var topicsDir: String?

    @Option(name: .long, help: "Replication factor to create topics with (default: each definition's).")
    var replicationFactor: Int?

    func run() async throws {
        let configuration = try options.load()
        guard let directory = topicsDir ?? TopicCatalog.defaultDirectory() else {
            FileHandle.standardError.write(Data("no topics/ folder found; pass --topics-dir\n".utf8))
            throw ExitCode.failure
        }
        let catalog = try TopicCatalog.load(directory: directory, appId: configuration.appId)
        let admin = try KafkaAdmin(configuration: configuration.clientConfiguration, logger: MeterdLogging.logger("meterd.topics"))
        let report = try TopicPlan.apply(catalog, admin: admin, replicationFactor: replicationFactor)
        print(report.lines.joined(separator: "\n"))
        if !report.problems.isEmpty { throw ExitCode.failure }
    }
}

/// What `topics apply` did and found, line by line.
struct TopicPlan {
    var lines: [String] = []
    var problems: [String] = []

    static func apply(_ catalog: TopicCatalog, admin: KafkaAdmin, replicationFactor: Int?) throws -> TopicPlan {
        var plan = TopicPlan()
        let existing = try admin.topicPartitionCounts()
        let embedded = admin.isEmbeddedBroker()
        if embedded {
            plan.lines.append("note: the embedded broker cannot create topics or describe configs; checking existence and partitions only (meterd broker creates topics/ at start)")
        }
        var missing: [NewTopic] = []
        for topic in catalog.topics {
            guard let partitions = existing[topic.name] else {
                missing.append(NewTopic(name: topic.name, partitions: topic.partitions, replicationFactor: replicationFactor ?? topic.replicationFactor, configs: topic.configs))
                continue
            }
            var drift: [String] = []
            if partitions != topic.partitions { drift.append("partitions \(partitions), defined \(topic.partitions)") }
            if !embedded {
                let actual = try admin.describeTopicConfig(topic.name)
                for (key, value) in topic.configs.sorted(by: { $0.key < $1.key }) where actual[key] != value {
                    drift.append("\(key)=\(actual[key] ?? "(unset)"), defined \(value)")
                }
            }
            if drift.isEmpty {
                plan.lines.append("ok       \(topic.name) (\(partitions) partitions)")
            } else {
                let line = "drift    \(topic.name): \(drift.joined(separator: "; "))"
                plan.lines.append(line)
                plan.problems.append(line)
            }
        }
        guard !missing.isEmpty else { return plan }
        if embedded {
            for topic in missing {
                let line = "missing  \(topic.name): create it with meterd broker --topics \(topic.name):\(topic.partitions)"
                plan.lines.append(line)
                plan.problems.append(line)
            }
            return plan
        }
        let failures = try admin.createTopics(missing)
        for topic in missing {
            if let failure = failures[topic.name] {
                let line = "failed   \(topic.name): \(failure)"
                plan.lines.append(line)
                plan.problems.append(line)
            } else {
                plan.lines.append("created  \(topic.name) (\(topic.partitions) partitions, replication \(topic.replicationFactor))")
            }
        }
        return plan
    }
}
