import MeterdKafka

/// Keeps stage 1's input partitions close together in event time while
/// they have a backlog, by pausing the ones that run ahead.
///
/// Stage 2 merges the usage of every input partition into each repartition
/// partition, whose stream time is the greatest event time it has seen: if
/// one input partition is read minutes of event time ahead of another, the
/// slower one's events arrive behind closed windows, and every one of them
/// costs a late revision of its rollup and a changelog write (or a
/// `too_late` dead letter beyond allowedLateness). librdkafka fetches
/// partitions independently, and reading a backlog at ~200 s of event time
/// per second, its fetch order alone drifted partitions 10 minutes of event
/// time apart in some runs (bench-pipeline: 790,000 late events of 1 M).
///
/// The rule is local to this member, like Kafka Streams choosing the
/// partition with the lowest timestamp within a task: a partition whose
/// greatest decoded event time is more than `toleranceMillis` ahead of the
/// slowest partition that still has a backlog is paused, and resumed once
/// it is within half of that. A partition that has caught up with its high
/// watermark (live traffic) is never waited for, and the slowest partition
/// is never paused, so the member always makes progress. Pausing changes
/// only the order of reading: positions, commits and checkpoints are as before.
struct InputTimeAlignment {
    let toleranceMillis: Int64
    /// Greatest event time decoded per partition.
    private(set) var eventTimes: [TopicPartition: Int64] = [:]
    private(set) var paused: Set<TopicPartition> = []

    /// Half the grace period, at least one second: a reader that keeps its
    /// partitions within half the grace of each other leaves the other half
    /// for disorder within partitions and between members.
    init(graceMillis: Int64) {
        toleranceMillis = max(graceMillis / 2, 1_000)
    }

    mutating func observe(_ partition: TopicPartition, eventTimeMillis: Int64) {
        if let known = eventTimes[partition], known >= eventTimeMillis { return }
        eventTimes[partition] = eventTimeMillis
    }

    /// Which partitions to pause and to resume now.
    /// - Parameter hasBacklog: whether a partition still has records to read
    ///   (its position is below its high watermark).
    mutating func decide(hasBacklog: (TopicPartition) -> Bool) -> (pause: [TopicPartition], resume: [TopicPartition]) {
        let behind = eventTimes.filter { hasBacklog($0.key) }
        guard behind.count >= 2, let slowest = behind.values.min() else {
            let resume = paused.sorted(by: Self.order)
            paused.removeAll()
            return ([], resume)
        }
        var pause: [TopicPartition] = []
        var resume: [TopicPartition] = []
        for (partition, time) in eventTimes {
            let lead = time - slowest
            if paused.contains(partition) {
                if lead <= toleranceMillis / 2 || behind[partition] == nil { resume.append(partition) }
            } else if lead > toleranceMillis, behind[partition] != nil {
                pause.append(partition)
            }
        }
        for partition in resume { paused.remove(partition) }
        for partition in pause { paused.insert(partition) }
        return (pause.sorted(by: Self.order), resume.sorted(by: Self.order))
    }

    /// Forgets `partitions` (revoked); returns those of them that were paused.
    mutating func forget(_ partitions: [TopicPartition]) -> [TopicPartition] {
        var wasPaused: [TopicPartition] = []
        for partition in partitions {
            eventTimes[partition] = nil
            if paused.remove(partition) != nil { wasPaused.append(partition) }
        }
        return wasPaused.sorted(by: Self.order)
    }

    /// Forgets everything (the positions were rewound); returns the paused partitions.
    mutating func reset() -> [TopicPartition] {
        eventTimes.removeAll()
        defer { paused.removeAll() }
        return paused.sorted(by: Self.order)
    }

    private static func order(_ a: TopicPartition, _ b: TopicPartition) -> Bool {
        a.topic != b.topic ? a.topic < b.topic : a.partition < b.partition
    }
}
