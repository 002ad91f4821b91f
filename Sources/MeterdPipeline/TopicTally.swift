/// Counts records per topic over a short stretch (one polling round) with
/// a linear scan of the few topics a processor reads: comparing a topic
/// name with the same string seen before is a pointer comparison, where a
/// dictionary would hash the name for every record.
struct TopicTally {
    private var topics: [String] = []
    private var counts: [Int] = []

    mutating func add(_ topic: String) {
        for index in topics.indices where topics[index] == topic {
            counts[index] += 1
            return
        }
        topics.append(topic)
        counts.append(1)
    }

    /// Adds the counts to `totals` and starts over.
    mutating func drain(into totals: inout [String: Int]) {
        for (topic, count) in zip(topics, counts) where count > 0 { totals[topic, default: 0] += count }
        for index in counts.indices { counts[index] = 0 }
    }
}
