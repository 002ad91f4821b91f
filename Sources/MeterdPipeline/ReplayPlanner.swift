import Logging
import MeterdCore
import MeterdKafka

/// Plans and applies an ops replay (`meterd replay`) while the group is
/// stopped: rewinds the inputs to the first record at or after `--from`
/// (offsets for times), drops the windows in range from every aggregation
/// partition's changelog state, and marks what the restarted group re-reads,
/// so it rebuilds those windows and re-emits them with higher revisions.
///
/// Everything the group needs is in the changelog (state, checkpoints,
/// input positions) and the group's offsets; nothing is sent to members.
public struct ReplayPlanner {
    let configuration: MeterdConfiguration
    let kafka: KafkaConfiguration
    let logger: Logger

    public init(configuration: MeterdConfiguration, kafka: KafkaConfiguration, logger: Logger) {
        self.configuration = configuration
        self.kafka = kafka
        self.logger = logger
    }

    /// Reads the group's changelog and offsets and computes the plan; changes nothing.
    public func plan(fromMillis: Int64, untilMillis: Int64?) throws -> ReplayPlan {
        let admin = try KafkaAdmin(configuration: kafka, logger: logger)
        let counts = try admin.topicPartitionCounts()
        guard let changelogCount = counts[configuration.changelogTopic].map(Int32.init), changelogCount > 0 else {
            throw ReplayError("topic \(configuration.changelogTopic) does not exist: the group has never run, there is nothing to replay")
        }
        let keyed = configuration.kafka.inputKeyedBySubject
        let taskTopic = keyed ? configuration.kafka.inputTopics.first ?? "" : configuration.repartitionTopic
        let committed = (try? admin.listConsumerGroupOffsets(configuration.appId)) ?? [:]
        let restorer = ChangelogRestorer(kafka: kafka, topic: configuration.changelogTopic, logger: logger)
        var contents: [Int32: ChangelogContents] = [:]
        for partition in 0..<changelogCount {
            let read = try restorer.read(partition: partition, timeoutMillis: 60_000)
            if read.dataLost {
                throw ReplayError("changelog partition \(partition) lost records to retention; its state cannot be rebuilt exactly, so the replay stops here")
            }
            contents[partition] = read
        }

        var inputs: [ReplayPlan.InputRewind] = []
        for topic in configuration.kafka.inputTopics {
            for partition in 0..<Int32(counts[topic] ?? 0) {
                let tp = TopicPartition(topic, partition)
                let recorded = keyed
                    ? contents[partition]?.checkpoint?.nextOffset
                    : contents[ChangelogRecord.changelogPartition(forInputPartition: partition, changelogPartitions: changelogCount)]?.inputPositions[tp]
                let position = max(recorded ?? 0, committed[tp] ?? 0)
                guard position > 0 else { continue }
                let marks = try admin.watermarks(tp)
                var target = try admin.offsetsForTimes([tp: fromMillis])[tp] ?? marks.high
                if target < 0 { target = marks.high }
                let truncated = target <= marks.low && marks.low > 0
                target = min(max(target, marks.low), position)
                let mapped = ChangelogRecord.changelogPartition(forInputPartition: partition, changelogPartitions: changelogCount)
                inputs.append(ReplayPlan.InputRewind(
                    partition: tp, position: position, target: target, committed: committed[tp], truncatedByRetention: truncated,
                    replayedThrough: contents[mapped]?.inputReplayedThrough[tp]
                ))
            }
        }

        let rewound = Dictionary(uniqueKeysWithValues: inputs.filter { $0.recordsToReread > 0 }.map {
            (OriginPartition(topic: $0.partition.topic, partition: $0.partition.partition), $0.target)
        })
        let compiled = CompiledConfiguration(configuration)
        var partitions: [ReplayPlan.PartitionReset] = []
        for partition in 0..<Int32(counts[taskTopic] ?? 0) {
            guard let read = contents[partition], let old = read.checkpoint else { continue }
            var aggregator = try PartitionAggregator(compiled: compiled, header: old.aggregatorHeader, records: read.stateRecords)
            let preparation = aggregator.prepareReplay(fromMillis: fromMillis, untilMillis: untilMillis)
            var checkpoint = old
            if keyed {
                let origin = OriginPartition(topic: taskTopic, partition: partition)
                if let target = rewound[origin], old.nextOffset > target {
                    checkpoint.replayedOrigins[origin] = max(old.replayedOrigins[origin] ?? -1, old.nextOffset - 1)
                    checkpoint.nextOffset = target
                }
            } else {
                for (origin, target) in rewound {
                    if let applied = old.appliedOrigins[origin], applied >= target {
                        checkpoint.replayedOrigins[origin] = max(old.replayedOrigins[origin] ?? -1, applied)
                        checkpoint.appliedOrigins[origin] = target - 1
                    }
                    checkpoint.rewoundOrigins[origin] = min(old.rewoundOrigins[origin] ?? .max, target)
                }
                if !rewound.isEmpty {
                    checkpoint.rereadCopiesStartOffset = try admin.watermarks(TopicPartition(taskTopic, partition)).high
                }
            }
            guard preparation != nil || checkpoint != old else { continue }
            checkpoint.aggregatorHeader = aggregator.stateHeader()
            checkpoint.isFullRefresh = true
            partitions.append(ReplayPlan.PartitionReset(
                partition: partition, preparation: preparation,
                stateRecords: Self.fullRefresh(of: &aggregator, replacing: read.stateRecords), checkpoint: checkpoint
            ))
        }
        let lastCommit = contents.values.compactMap(\.checkpointTimestampMillis).max()
        return ReplayPlan(
            group: configuration.appId, fromMillis: fromMillis, untilMillis: untilMillis,
            inputs: inputs, partitions: partitions, lastCommitMillis: lastCommit, changelogPartitions: changelogCount
        )
    }

    /// Every live record of the prepared state, plus tombstones for every
    /// key of the old state that is gone (so compaction forgets them too).
    static func fullRefresh(of aggregator: inout PartitionAggregator, replacing old: [[UInt8]: [UInt8]]) -> [StateRecord] {
        aggregator.markAllStateChanged()
        var records = aggregator.takeStateChanges().records
        let written = Set(records.map(\.key))
        for key in old.keys where !written.contains(key) {
            records.append(StateRecord(key: key, value: nil))
        }
        return records
    }

    /// Applies a plan: lowers group offsets above the rewind points, then
    /// writes, in one transaction, the new state of each aggregation
    /// partition, the rewound input positions and the checkpoints (last).
    public func execute(_ plan: ReplayPlan) throws {
        let admin = try KafkaAdmin(configuration: kafka, logger: logger)
        var lowered: [TopicPartition: Int64] = [:]
        for input in plan.inputs where (input.committed ?? -1) > input.target {
            lowered[input.partition] = input.target
        }
        if !lowered.isEmpty {
            do {
                try admin.alterConsumerGroupOffsets(plan.group, offsets: lowered)
            } catch {
                throw ReplayError("could not lower the group's committed offsets (\(error.message)); is a member of group \(plan.group) still running?")
            }
        }
        var settings = kafka
        settings["transactional.id"] = "\(plan.group)-replay"
        let producer = try KafkaProducer(configuration: settings, logger: logger)
        try producer.initTransactions(timeoutMillis: 30_000)
        try producer.beginTransaction()
        let topic = configuration.changelogTopic
        do {
            for reset in plan.partitions {
                for record in reset.stateRecords {
                    let (key, value) = ChangelogRecord.state(key: record.key, value: record.value).keyAndValue
                    try producer.sendWaitingForQueueSpace(OutgoingRecord(topic: topic, partition: reset.partition, key: key, value: value))
                }
            }
            if !configuration.kafka.inputKeyedBySubject {
                for input in plan.inputs where input.recordsToReread > 0 {
                    let (key, value) = ChangelogRecord.inputPosition(
                        topic: input.partition.topic, partition: input.partition.partition,
                        nextOffset: input.target, replayedThrough: max(input.position - 1, input.replayedThrough ?? -1)
                    ).keyAndValue
                    let target = ChangelogRecord.changelogPartition(forInputPartition: input.partition.partition, changelogPartitions: plan.changelogPartitions)
                    try producer.sendWaitingForQueueSpace(OutgoingRecord(topic: topic, partition: target, key: key, value: value))
                }
            }
            try producer.flush(timeoutMillis: 60_000)
            if let error = producer.takeDeliveries().firstError { throw error }
            for reset in plan.partitions {
                let (key, value) = ChangelogRecord.checkpoint(reset.checkpoint).keyAndValue
                try producer.sendWaitingForQueueSpace(OutgoingRecord(topic: topic, partition: reset.partition, key: key, value: value))
            }
            try producer.commitTransaction(timeoutMillis: 60_000)
        } catch {
            try? producer.abortTransaction(timeoutMillis: 30_000)
            throw error
        }
    }
}

/// A replay that cannot proceed, with the reason for the operator.
public struct ReplayError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
