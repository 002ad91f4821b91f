/// Which stages of the topology one processing member runs, and so which
/// topics its consumer subscribes to.
///
/// Like Kafka Streams' sub-topologies, the two stages only meet in the
/// repartition topic, so a member may run either or both: the group's
/// assignor gives each topic's partitions to the members subscribed to it.
/// `meterd run --threads 2 --split-stages` runs one member of each kind in
/// one process: a single consumer then reads every input partition, so
/// stage 1 re-keys usage in one interleaved order instead of two members
/// drifting apart in event time (see docs/pipeline.md, "Threads").
public enum ProcessingStages: String, Sendable, CaseIterable {
    /// Stage 1 and stage 2: the input topics and the repartition topic.
    case all
    /// Stage 1 only: decode input records, re-key usage into the repartition topic.
    case decode
    /// Stage 2 only: aggregate repartition partitions.
    case aggregate

    /// The topics a member running these stages subscribes to. With the
    /// input keyed by subject there is no stage 1 and only `.all` applies.
    func subscription(inputTopics: [String], repartitionTopic: String) -> [String] {
        switch self {
        case .all: inputTopics + [repartitionTopic]
        case .decode: inputTopics
        case .aggregate: [repartitionTopic]
        }
    }

    /// The role of member `index` (from 0) of a process whose members split
    /// the stages: decoding and aggregating members alternate, so two
    /// threads are one of each.
    public static func split(memberIndex index: Int) -> ProcessingStages {
        index % 2 == 0 ? .decode : .aggregate
    }
}
