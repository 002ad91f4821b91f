import MeterdKafka

/// The SPEC section 3 contract of a `usage.dlq` record: the original key
/// and bytes, and headers `meterd.reason` (one of the SPEC reasons),
/// `meterd.topic`, `meterd.partition`, `meterd.offset` naming the original
/// input record.
enum DeadLetterHeaders {
    static let reasons: Set<String> = [
        "malformed_json", "unknown_format", "missing_subject", "invalid_time", "invalid_value", "too_large", "too_late", "unknown_subject",
    ]

    /// Produced input records by partition and offset.
    static func index(_ produced: [ProducedRecord], topic: String) -> [TopicPartition: [Int64: ProducedRecord]] {
        var index: [TopicPartition: [Int64: ProducedRecord]] = [:]
        for item in produced { index[TopicPartition(topic, item.partition), default: [:]][item.offset] = item }
        return index
    }

    /// How `record` breaks the contract, given the input records it may name.
    static func violations(of record: ConsumedRecord, originals: [TopicPartition: [Int64: ProducedRecord]], label: String) -> [String] {
        var found: [String] = []
        let reason = record.header("meterd.reason")?.stringValue
        let topic = record.header("meterd.topic")?.stringValue
        let partition = record.header("meterd.partition")?.stringValue.flatMap { Int32($0) }
        let offset = record.header("meterd.offset")?.stringValue.flatMap { Int64($0) }
        if !reasons.contains(reason ?? "") { found.append("\(label): meterd.reason \(reason ?? "missing") is not a SPEC reason") }
        guard let topic, let partition, let offset else {
            return found + ["\(label): meterd.topic/partition/offset missing or not numbers: \(record.headers.map(\.key))"]
        }
        guard let original = originals[TopicPartition(topic, partition)]?[offset] else {
            return found + ["\(label): names \(topic)[\(partition)]@\(offset), which is no input record"]
        }
        if record.key != original.record.key { found.append("\(label): key differs from the original record's") }
        if record.value != original.record.bytes { found.append("\(label): value differs from the original record's bytes") }
        if case .rejected(let expected) = original.record.kind, expected != reason {
            found.append("\(label): reason \(reason ?? "missing"), expected \(expected)")
        }
        return found
    }
}
