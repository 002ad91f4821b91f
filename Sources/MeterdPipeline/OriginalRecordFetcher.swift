import Logging
import MeterdKafka

/// Reads one input record back by its coordinates, for dead letters decided
/// after repartitioning (e.g. `too_late`), whose value must be the original
/// bytes. Rare by design; a miss (deleted by retention) yields `nil`.
final class OriginalRecordFetcher {
    let kafka: KafkaConfiguration
    let logger: Logger
    private var consumer: KafkaConsumer?

    init(kafka: KafkaConfiguration, logger: Logger) {
        self.kafka = kafka
        self.logger = logger
    }

    func fetch(_ origin: RecordOrigin) -> [UInt8]? {
        do {
            let consumer = try self.consumer ?? makeConsumer()
            self.consumer = consumer
            let tp = TopicPartition(origin.topic, origin.partition)
            try consumer.assign([tp: origin.offset])
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline {
                switch consumer.poll(timeoutMillis: 100) {
                case .record(let record)? where record.offset == origin.offset:
                    return record.value
                case .record(let record)? where record.offset > origin.offset:
                    return nil
                case .endOfPartition?, .error?:
                    return nil
                default:
                    continue
                }
            }
        } catch {
            logger.warning("could not read back an original record for its dead letter", metadata: ["meterd.error": "\(error)"])
        }
        return nil
    }

    private func makeConsumer() throws -> KafkaConsumer {
        try KafkaConsumer(configuration: kafka.manualReader(isolationLevel: "read_committed"), logger: logger)
    }
}
