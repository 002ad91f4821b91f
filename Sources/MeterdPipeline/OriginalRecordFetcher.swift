import Logging
import MeterdKafka

/// Reads input records back by their coordinates, for dead letters decided
/// after repartitioning (e.g. `too_late`), whose value must be the original
/// bytes. The processor collects them during a commit interval and reads
/// them in one pass per commit: every partition at once, each read forward
/// from its first wanted offset (a seek where the next wanted offset is far
/// ahead), instead of one assign-and-fetch round trip per record. A record
/// deleted by retention is missing from the result.
final class OriginalRecordFetcher {
    let kafka: KafkaConfiguration
    let logger: Logger
    private var consumer: KafkaConsumer?
    /// Beyond this many records to the next wanted offset, seek instead of reading through.
    static let readThroughGap: Int64 = 2_000

    init(kafka: KafkaConfiguration, logger: Logger) {
        self.kafka = kafka
        self.logger = logger
    }

    /// The values of `origins` that could be read within `timeoutMillis`.
    func fetch(_ origins: [RecordOrigin], timeoutMillis: Int = 10_000) -> [RecordOrigin: [UInt8]] {
        guard !origins.isEmpty else { return [:] }
        var wanted: [TopicPartition: [Int64]] = [:]
        for origin in origins { wanted[TopicPartition(origin.topic, origin.partition), default: []].append(origin.offset) }
        for tp in wanted.keys { wanted[tp] = Array(Set(wanted[tp] ?? [])).sorted() }
        var found: [RecordOrigin: [UInt8]] = [:]
        do {
            let consumer = try self.consumer ?? KafkaConsumer(configuration: kafka.manualReader(isolationLevel: "read_committed"), logger: logger)
            self.consumer = consumer
            // Index of the next wanted offset per partition.
            var next: [TopicPartition: Int] = [:]
            var start: [TopicPartition: Int64] = [:]
            for (tp, offsets) in wanted {
                next[tp] = 0
                start[tp] = offsets[0]
            }
            try consumer.assign(start)
            let deadline = ContinuousClock.now + .milliseconds(timeoutMillis)
            while !next.isEmpty, ContinuousClock.now < deadline {
                switch consumer.poll(timeoutMillis: 100) {
                case .record(let record)?:
                    let tp = TopicPartition(record.topic, record.partition)
                    guard let index = next[tp], let offsets = wanted[tp] else { continue }
                    var position = index
                    while position < offsets.count, offsets[position] < record.offset { position += 1 }   // deleted or compacted away
                    if position < offsets.count, offsets[position] == record.offset {
                        found[RecordOrigin(topic: tp.topic, partition: tp.partition, offset: record.offset)] = record.value ?? []
                        position += 1
                    }
                    if position == offsets.count {
                        next[tp] = nil
                    } else {
                        next[tp] = position
                        if offsets[position] - record.offset > Self.readThroughGap {
                            try consumer.seek([tp: offsets[position]], timeoutMillis: 5_000)
                        }
                    }
                case .endOfPartition(let tp, _)?:
                    next[tp] = nil
                case .error(let error, let tp)?:
                    logger.warning("reading back originals for dead letters: \(error)")
                    if let tp { next[tp] = nil }
                case nil:
                    continue
                }
            }
            try consumer.assign([:])
        } catch {
            logger.warning("could not read back original records for their dead letters", metadata: ["meterd.error": "\(error)"])
        }
        return found
    }
}
