import MeterdKafka

/// Keeps newly assigned input partitions from starting far apart: while an
/// assigned partition that has records to read has delivered none, the
/// partitions that already delivered `leadRecords` are paused, until every
/// such partition delivered one record or `maxWaitMillis` passed.
///
/// Why: stage 1 interleaves its input partitions into each repartition
/// partition, whose stream time is the greatest event time it has seen.
/// librdkafka 2.0.2 sometimes starts fetching one partition of an assignment
/// ~0.6 s before the others (BENCHMARKS.md, end-to-end round 9); during a
/// catch-up that is minutes of event time, and since the partitions then
/// advance at the same rate, the others' events arrive past the grace for the
/// whole catch-up (up to 79% of them late revisions). Live traffic is not
/// held up: it does not deliver `leadRecords` from one partition before the
/// others start.
///
/// Pure bookkeeping: the processor pauses and resumes what it is told to.
struct InputStartAlignment {
    /// Records one partition may deliver while another has not started.
    static let leadRecords = 1_000
    /// How long after an assignment partitions are held back at most.
    static let maxWaitMillis: Int64 = 2_000

    /// Assigned partitions with records to read that delivered none yet.
    private(set) var waiting: Set<TopicPartition> = []
    /// Records delivered since the assignment, per partition (while `waiting` is not empty).
    private var deliveredCounts: [TopicPartition: Int] = [:]
    private(set) var paused: Set<TopicPartition> = []
    private var deadlineMillis: Int64 = 0

    /// Whether records must be counted: false on the hot path once aligned.
    var isActive: Bool { !waiting.isEmpty || !paused.isEmpty }

    /// Partitions just assigned that have records at or after their start.
    mutating func assigned(withRecords partitions: [TopicPartition], nowMillis: Int64) {
        guard !partitions.isEmpty else { return }
        waiting.formUnion(partitions)
        deliveredCounts = [:]
        deadlineMillis = nowMillis + Self.maxWaitMillis
    }

    /// A record of `partition` was delivered.
    /// - Returns: the partition to pause, if it ran `leadRecords` ahead of a waiting one.
    mutating func delivered(_ partition: TopicPartition) -> TopicPartition? {
        guard !waiting.isEmpty else { return nil }
        if waiting.remove(partition) != nil { return nil }
        let count = deliveredCounts[partition, default: 0] + 1
        deliveredCounts[partition] = count
        guard count >= Self.leadRecords, !paused.contains(partition) else { return nil }
        paused.insert(partition)
        return partition
    }

    /// Partitions to resume now: all of them once no partition is waiting or
    /// the deadline passed (then the waiting ones are given up on).
    mutating func due(nowMillis: Int64) -> [TopicPartition] {
        guard !paused.isEmpty || !waiting.isEmpty else { return [] }
        guard waiting.isEmpty || nowMillis >= deadlineMillis else { return [] }
        waiting = []
        deliveredCounts = [:]
        defer { paused = [] }
        return paused.sorted()
    }

    /// Partitions taken away: no longer waited for.
    /// - Returns: those of them that are paused (to resume before they go).
    mutating func revoked(_ partitions: [TopicPartition]) -> [TopicPartition] {
        var resumed: [TopicPartition] = []
        for partition in partitions {
            waiting.remove(partition)
            deliveredCounts[partition] = nil
            if paused.remove(partition) != nil { resumed.append(partition) }
        }
        return resumed
    }
}
