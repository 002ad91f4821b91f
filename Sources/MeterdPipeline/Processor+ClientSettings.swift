import Logging
import MeterdCore
import MeterdKafka

/// The librdkafka settings meterd chooses for its clients unless the
/// configuration's `kafka` properties say otherwise (docs/pipeline.md,
/// "client settings").
extension Processor {
    static func makeProducer(configuration: MeterdConfiguration, kafka: KafkaConfiguration, transactionalId: String, logger: Logger) throws -> KafkaProducer {
        let properties = producerProperties(configuration: configuration, kafka: kafka, transactionalId: transactionalId)
        let producer = try KafkaProducer(configuration: kafka.merging(properties), logger: logger)
        try producer.initTransactions(timeoutMillis: 30_000)
        let missing = producer.loadTopicMetadata(producedTopics(configuration))
        if !missing.isEmpty {
            logger.warning("the broker did not describe these topics yet; the first records sent to them wait for librdkafka's topic scan", metadata: [
                "meterd.topics": "\(missing.joined(separator: ","))",
            ])
        }
        return producer
    }

    /// The properties meterd sets on its transactional producer, on top of
    /// the configuration's `kafka` block (whose own settings win, except the
    /// transactional id and the partitioner).
    static func producerProperties(configuration: MeterdConfiguration, kafka: KafkaConfiguration, transactionalId: String) -> [String: String] {
        var properties: [String: String] = ["transactional.id": transactionalId, "partitioner": "murmur2_random"]
        if kafka["transaction.timeout.ms"] == nil { properties["transaction.timeout.ms"] = "10000" }
        if kafka["linger.ms"] == nil { properties["linger.ms"] = "\(lingerMillis(configuration))" }
        // With that linger, one commit interval of records waits in the
        // local queue; librdkafka's default of 100,000 would block the
        // processing thread on a full queue until the linger expires.
        if kafka["queue.buffering.max.messages"] == nil { properties["queue.buffering.max.messages"] = "1000000" }
        // Dead letters carry the original record (SPEC section 3), which may be
        // larger than librdkafka's default 1,000,000 bytes (maxRecordBytes is 1 MiB).
        if kafka["message.max.bytes"] == nil { properties["message.max.bytes"] = "\(defaultMessageMaxBytes)" }
        return properties
    }

    /// Every topic meterd writes to: the outputs and the internal topics
    /// (the repartition topic only when the input is re-keyed).
    static func producedTopics(_ configuration: MeterdConfiguration) -> [String] {
        var topics = [configuration.outputs.rollups, configuration.outputs.quota, configuration.outputs.dlq, configuration.changelogTopic]
        if !configuration.kafka.inputKeyedBySubject { topics.append(configuration.repartitionTopic) }
        return topics
    }

    /// The producer's `message.max.bytes` unless configured: 16 MiB.
    static let defaultMessageMaxBytes = 16 * 1024 * 1024

    /// The consumer's `fetch.wait.max.ms` unless configured: the commit
    /// interval, between 10 and 100 ms.
    static func fetchWaitMillis(_ configuration: MeterdConfiguration) -> Int64 {
        max(10, min(configuration.commitIntervalMillis, 100))
    }

    /// The producer's `linger.ms` unless configured: the commit interval,
    /// at most 100 ms. A `read_committed` reader sees nothing before the
    /// commit, which flushes the producer, so lingering costs no latency —
    /// and it makes large batches where a short linger makes many small ones
    /// (each a separate fetch unit for the reader of the repartition topic).
    /// The cap bounds the records waiting in the producer's queue.
    static func lingerMillis(_ configuration: MeterdConfiguration) -> Int64 {
        max(5, min(configuration.commitIntervalMillis, 100))
    }
}
