/// Why the processor cannot run.
public enum PipelineError: Error, CustomStringConvertible {
    case missingTopic(String)
    /// A produce failed earlier in the transaction: it must be aborted.
    case resetRequested
    /// The aggregated input topic has more partitions than the changelog.
    case partitionMismatch(String, Int32, String, Int32)
    /// Stages split across members, but the input is keyed by subject: there is no stage 1.
    case noStagesToSplit

    public var description: String {
        switch self {
        case .missingTopic(let topic):
            return "topic '\(topic)' does not exist: create it (meterd topics apply, or meterd broker creates it on the embedded broker)"
        case .partitionMismatch(let input, let inputCount, let changelog, let changelogCount):
            return "'\(input)' has \(inputCount) partitions but '\(changelog)' only \(changelogCount): with inputKeyedBySubject the changelog needs at least as many"
        case .noStagesToSplit:
            return "the stages cannot be split: with kafka.inputKeyedBySubject there is no repartition stage, every member aggregates its input partitions"
        case .resetRequested:
            return "a record of the open transaction failed; the transaction must be aborted"
        }
    }
}
