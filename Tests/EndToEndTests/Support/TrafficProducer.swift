import Foundation
import MeterdKafka
import Synchronization

/// Produces generated records to explicit input partitions with an
/// idempotent producer, so each partition's offsets are 0, 1, 2, … in send
/// order on a fresh broker; `verifyOffsets` checks that against the broker's
/// high watermarks.
final class TrafficProducer: Sendable {
    static let topic = "gateway.usage"
    private let producer: KafkaProducer
    private let sent = Mutex<(next: [Int32: Int64], records: [ProducedRecord])>(([:], []))

    init(bootstrap: String) throws {
        producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrap: bootstrap, ["linger.ms": "5", "enable.idempotence": "true", "message.max.bytes": "4000000"]),
            logger: PipelineCluster.quietLogger
        )
    }

    /// Sends `records` in order and waits until the broker acknowledged them.
    func send(_ records: ArraySlice<GeneratedRecord>) throws {
        for record in records {
            let outgoing = OutgoingRecord(topic: Self.topic, partition: record.partition, key: record.key, value: record.bytes)
            try producer.sendWaitingForQueueSpace(outgoing)
            sent.withLock { state in
                let offset = state.next[record.partition, default: 0]
                state.next[record.partition] = offset + 1
                state.records.append(ProducedRecord(record: record, partition: record.partition, offset: offset))
            }
        }
        try producer.flush(timeoutMillis: 30_000)
        if let error = producer.deliveries.firstError { throw error }
    }

    var produced: [ProducedRecord] { sent.withLock { $0.records } }

    /// Throws unless every input partition's high watermark equals the records sent to it.
    func verifyOffsets(bootstrap: String) throws {
        let consumer = try KafkaConsumer(configuration: KafkaConfiguration(bootstrap: bootstrap), logger: PipelineCluster.quietLogger)
        let expected = sent.withLock { $0.next }
        for partition in 0..<TrafficGenerator.inputPartitions {
            let (low, high) = try consumer.watermarks(TopicPartition(Self.topic, partition), timeoutMillis: 10_000)
            guard low == 0, high == expected[partition, default: 0] else {
                throw E2EFailure("input partition \(partition) holds [\(low), \(high)) but \(expected[partition, default: 0]) records were sent")
            }
        }
        try? consumer.close()
    }
}
