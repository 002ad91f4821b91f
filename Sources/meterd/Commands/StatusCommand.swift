import ArgumentParser
import Foundation
import MeterdConfig
import MeterdCore
import MeterdKafka
import MeterdPipeline

/// `meterd status -c meterd.yaml`: group members and assignment, lag per
/// partition, open windows and state size per aggregation partition, and the
/// last commit — read from Kafka (the group and the changelog), not from the
/// members.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the processing group: members, lag, open windows, state size, last commit."
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.load()
        let kafka = configuration.clientConfiguration
        let report = try await runOnDedicatedThread(name: "meterd-status") {
            try GroupStatus.collect(configuration: configuration, kafka: kafka)
        }
        print(report)
    }
}

/// The text `meterd status` prints.
enum GroupStatus {
    static func collect(configuration: MeterdConfiguration, kafka: KafkaConfiguration) throws -> String {
        let logger = MeterdLogging.logger("meterd.status")
        let admin = try KafkaAdmin(configuration: kafka, logger: logger)
        let group = configuration.appId
        var out = "group \(group)\n"
        do {
            let descriptions = try admin.describeConsumerGroups([group])
            for description in descriptions {
                out += "  state: \(description.state), \(description.members.count) member(s)\n"
                for member in description.members {
                    let assigned = member.assignment.map(\.description).joined(separator: ",")
                    out += "  member \(member.clientId) \(member.host) \(member.memberId): \(assigned)\n"
                }
            }
        } catch {
            guard error.name == "_UNSUPPORTED_FEATURE" else { throw error }
            out += "  members: not available (the embedded broker has no DescribeGroups; each member's /readyz and /metrics show its assignment)\n"
        }
        let counts = try admin.topicPartitionCounts()
        let changelogPartitions = Int32(counts[configuration.changelogTopic] ?? 0)
        guard changelogPartitions > 0 else {
            return out + "topic \(configuration.changelogTopic) does not exist: nothing has run yet\n"
        }
        let committed = (try? admin.listConsumerGroupOffsets(group)) ?? [:]
        let restorer = ChangelogRestorer(kafka: kafka, topic: configuration.changelogTopic, logger: logger)
        let compiled = CompiledConfiguration(configuration)
        var contents: [Int32: ChangelogContents] = [:]
        for partition in 0..<changelogPartitions {
            contents[partition] = try restorer.read(partition: partition, timeoutMillis: 30_000)
        }

        out += "input partitions (lag = high watermark − max(committed, changelog position))\n"
        for topic in configuration.kafka.inputTopics {
            for partition in 0..<Int32(counts[topic] ?? 0) {
                let tp = TopicPartition(topic, partition)
                let mapped = ChangelogRecord.changelogPartition(forInputPartition: partition, changelogPartitions: changelogPartitions)
                let position = max(committed[tp] ?? 0, contents[mapped]?.inputPositions[tp] ?? 0)
                let high = try admin.watermarks(tp).high
                out += "  \(tp): position \(position), end \(high), lag \(max(0, high - position))\n"
            }
        }
        let taskTopic = configuration.kafka.inputKeyedBySubject ? configuration.kafka.inputTopics.first ?? configuration.repartitionTopic : configuration.repartitionTopic
        out += "aggregation partitions (\(taskTopic))\n"
        var lastCommit: Int64?
        for partition in 0..<Int32(counts[taskTopic] ?? 0) {
            let tp = TopicPartition(taskTopic, partition)
            let read = contents[partition]
            let position = max(committed[tp] ?? 0, read?.checkpoint?.nextOffset ?? 0)
            let high = try admin.watermarks(tp).high
            var line = "  \(tp): position \(position), end \(high), lag \(max(0, high - position))"
            if let read, let aggregator = try? PartitionAggregator(compiled: compiled, header: read.checkpoint?.aggregatorHeader, records: read.stateRecords) {
                let size = aggregator.stateSize
                line += ", open windows \(size.openWindows), state \(size.approximateBytes) bytes"
                if let streamTime = aggregator.streamTimeMillis { line += ", stream time \(RFC3339.string(epochMillis: streamTime))" }
            }
            if read?.dataLost == true { line += ", DATA LOSS in the changelog" }
            out += line + "\n"
            if let stamp = read?.checkpointTimestampMillis { lastCommit = max(lastCommit ?? stamp, stamp) }
        }
        out += "last commit: \(lastCommit.map { RFC3339.string(epochMillis: $0) } ?? "none yet")\n"
        return out
    }
}
