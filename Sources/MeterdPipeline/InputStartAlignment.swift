import MeterdKafka

/// Keeps newly assigned input partitions from starting far apart, in two
/// ways, both only for a short while after an assignment:
/// - while an assigned partition that has records to read has delivered
///   none, the partitions that already delivered `leadRecords` are paused,
///   until every such partition delivered one record or `maxWaitMillis`
///   passed;
/// - for `eventTimeWindowMillis`, a partition whose decoded event time runs
///   more than `leadMillis` ahead of the slowest started partition is paused
///   until the partitions not paused are within a quarter of that of it.
///
/// Why: stage 1 interleaves its input partitions into each repartition
/// partition, whose stream time is the greatest event time it has seen.
/// librdkafka 2.0.2 sometimes starts fetching one partition of an assignment
/// ~0.6 s before the others (BENCHMARKS.md, end-to-end round 9), or hands
/// over several fetches of one partition before the first of another
/// (round 15: one partition read 55 s of event time ahead in the first
/// 0.1 s). During a catch-up that lead stays for the whole backlog, since the
/// partitions then advance at the same rate, and the others' events arrive
/// past the grace: up to 79% of them became late revisions. Live traffic is
/// not held up: its partitions are at the same event time.
///
/// Pure bookkeeping: the processor pauses and resumes what it is told to.
struct InputStartAlignment {
    /// Records one partition may deliver while another has not started.
    static let leadRecords = 1_000
    /// How long after an assignment partitions wait for the late starters at most.
    static let maxWaitMillis: Int64 = 2_000
    /// How long after an assignment partitions are kept together in event time.
    static let eventTimeWindowMillis: Int64 = 3_000

    /// Event time a partition may run ahead of the slowest started one:
    /// twice the grace, at least 2 s. Ordinary starts stay within it (the
    /// partitions of a backlog are read 5-17 s apart with a 10 s grace, a
    /// fetch or a few of one partition at a time); a tighter lead paused
    /// partitions ~170 times in the window and cost a quarter of the
    /// throughput (BENCHMARKS.md, end-to-end round 15).
    let leadMillis: Int64

    /// Assigned partitions with records to read that delivered none yet.
    private(set) var waiting: Set<TopicPartition> = []
    /// Records delivered since the assignment, per partition (while `waiting` is not empty).
    private var deliveredCounts: [TopicPartition: Int] = [:]
    private(set) var paused: Set<TopicPartition> = []
    /// Greatest decoded event time per partition, while the event-time window is open.
    private var eventTimes: [TopicPartition: Int64] = [:]
    private var deadlineMillis: Int64 = 0
    private var windowEndMillis: Int64 = 0
    /// Whether records must be looked at: false on the hot path once aligned.
    private(set) var isActive = false

    init(graceMillis: Int64 = 10_000) {
        leadMillis = max(2 * graceMillis, 2_000)
    }

    /// Partitions just assigned that have records at or after their start.
    mutating func assigned(withRecords partitions: [TopicPartition], nowMillis: Int64) {
        guard !partitions.isEmpty else { return }
        waiting.formUnion(partitions)
        deliveredCounts = [:]
        eventTimes = [:]
        deadlineMillis = nowMillis + Self.maxWaitMillis
        windowEndMillis = nowMillis + Self.eventTimeWindowMillis
        isActive = true
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

    /// A record of `partition` with event time `eventTimeMillis` was decoded.
    /// - Returns: the partition to pause, if it now runs more than
    ///   `leadMillis` ahead of the slowest started partition.
    mutating func decoded(_ partition: TopicPartition, eventTimeMillis: Int64) -> TopicPartition? {
        // The window's end is applied by `due`, called every polling round.
        guard isActive else { return nil }
        let latest = max(eventTimes[partition] ?? .min, eventTimeMillis)
        eventTimes[partition] = latest
        guard eventTimes.count > 1, !paused.contains(partition),
              let slowest = eventTimes.values.min(), latest > slowest &+ leadMillis else { return nil }
        paused.insert(partition)
        return partition
    }

    /// Partitions to resume now. While partitions are awaited (until the
    /// deadline), none; then, within the event-time window, those within a
    /// quarter of the lead of the slowest partition not paused; after it, all.
    mutating func due(nowMillis: Int64) -> [TopicPartition] {
        guard isActive else { return [] }
        if !waiting.isEmpty {
            guard nowMillis >= deadlineMillis else { return [] }
            // The late ones are given up on.
            waiting = []
            deliveredCounts = [:]
        }
        var resumed: [TopicPartition]
        if nowMillis >= windowEndMillis {
            resumed = paused.sorted()
            paused = []
            eventTimes = [:]
            isActive = false
        } else {
            let running = eventTimes.filter { !paused.contains($0.key) }.values
            guard let slowest = running.min() else {
                // Every partition that decoded something is paused: let them all go.
                defer { paused = [] }
                return paused.sorted()
            }
            resumed = paused.filter { (eventTimes[$0] ?? .min) <= slowest &+ leadMillis / 4 }.sorted()
            paused.subtract(resumed)
        }
        return resumed
    }

    /// Partitions taken away: no longer waited for.
    /// - Returns: those of them that are paused (to resume before they go).
    mutating func revoked(_ partitions: [TopicPartition]) -> [TopicPartition] {
        var resumed: [TopicPartition] = []
        for partition in partitions {
            waiting.remove(partition)
            deliveredCounts[partition] = nil
            eventTimes[partition] = nil
            if paused.remove(partition) != nil { resumed.append(partition) }
        }
        if waiting.isEmpty, paused.isEmpty, eventTimes.isEmpty { isActive = false }
        return resumed
    }
}
