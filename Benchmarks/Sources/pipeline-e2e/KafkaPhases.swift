import Foundation
import KongTraffic
import MeterdKafka

/// What the producer phase did.
struct ProduceResult {
    var seconds: Double
    var records: Int
    /// Uncompressed value bytes per partition (the largest partition).
    var maxPartitionValueBytes: Int
    var totalValueBytes: Int
}

/// What one raw consumer pass read.
struct RawConsumeResult {
    var seconds: Double
    var records: Int
    var valueBytes: Int
    /// Partitions whose low watermark is above 0: the mock deleted data there.
    var truncatedPartitions: [Int32]
}

/// The two phases around `meterd run`: filling the input topic and reading
/// it (or any topic) back with a plain librdkafka consumer.
enum KafkaPhases {
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Produces `count` records of `stream` to `topic`, `blockSize` consecutive
    /// records per partition in turn (even partitions, large lz4 batches).
    static func produce(
        stream: inout PipelineStream, count: Int, topic: String, partitions: Int, bootstrap: String, blockSize: Int = 500
    ) throws -> ProduceResult {
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrap: bootstrap, [
            "compression.type": "lz4",
            "linger.ms": "50",
            "batch.size": "1000000",
            "batch.num.messages": "10000",
            "queue.buffering.max.messages": "1000000",
            "queue.buffering.max.kbytes": "1048576",
            "client.id": "pipeline-e2e-producer",
        ]))
        var bytesPerPartition = [Int](repeating: 0, count: partitions)
        let start = now()
        for index in 0..<count {
            let partition = (index / blockSize) % partitions
            let value = stream.record(at: index)
            bytesPerPartition[partition] += value.count
            let record = OutgoingRecord(topic: topic, partition: Int32(partition), value: value, timestampMillis: stream.event(at: index).timeMillis)
            while try !enqueue(record, on: producer) { producer.poll(timeoutMillis: 10) }
            if index % 1_000 == 0 { producer.poll(timeoutMillis: 0) }
        }
        try producer.flush(timeoutMillis: 120_000)
        let seconds = now() - start
        let deliveries = producer.takeDeliveries()
        if let error = deliveries.firstError { throw error }
        guard deliveries.delivered == count else {
            throw BenchError("producer: \(deliveries.delivered) of \(count) records delivered, \(deliveries.failed) failed")
        }
        return ProduceResult(
            seconds: seconds, records: count,
            maxPartitionValueBytes: bytesPerPartition.max() ?? 0, totalValueBytes: bytesPerPartition.reduce(0, +)
        )
    }

    /// Partitions of `topic` whose low watermark is above 0 (data deleted by retention).
    static func truncatedPartitions(topic: String, partitions: Int, consumer: KafkaConsumer) throws -> [Int32] {
        var truncated: [Int32] = []
        for partition in 0..<Int32(partitions) {
            let marks = try consumer.watermarks(TopicPartition(topic, partition), timeoutMillis: 10_000)
            if marks.low > 0 { truncated.append(partition) }
        }
        return truncated
    }

    static func truncatedPartitions(topic: String, partitions: Int, bootstrap: String) throws -> [Int32] {
        let consumer = try KafkaConsumer(configuration: KafkaConfiguration(bootstrap: bootstrap, ["client.id": "pipeline-e2e-watermarks"]))
        defer { try? consumer.close() }
        return try truncatedPartitions(topic: topic, partitions: partitions, consumer: consumer)
    }

    /// Sends `record`; false when the local queue is full (any other error throws).
    private static func enqueue(_ record: OutgoingRecord, on producer: KafkaProducer) throws(KafkaError) -> Bool {
        do {
            try producer.send(record)
            return true
        } catch {
            if error.name == "_QUEUE_FULL" { return false }
            throw error
        }
    }

    /// Reads every partition of `topic` from the beginning with a manually
    /// assigned `read_committed` consumer until `expected` records arrived
    /// (or nothing arrives for `idleSeconds`), touching each value's length.
    static func rawConsume(topic: String, partitions: Int, expected: Int, bootstrap: String, idleSeconds: Double = 10) throws -> RawConsumeResult {
        let consumer = try KafkaConsumer(configuration: KafkaConfiguration(bootstrap: bootstrap, [
            "isolation.level": "read_committed",
            "fetch.max.bytes": "52428800",
            "max.partition.fetch.bytes": "5242880",
            "queued.max.messages.kbytes": "1048576",
            "queued.min.messages": "1000000",
            "client.id": "pipeline-e2e-raw-consumer",
        ]))
        let all = (0..<partitions).map { TopicPartition(topic, Int32($0)) }
        let truncated = try truncatedPartitions(topic: topic, partitions: partitions, consumer: consumer)
        var records = 0
        var valueBytes = 0
        let start = now()
        try consumer.assign(Dictionary(uniqueKeysWithValues: all.map { ($0, KafkaOffset.beginning) }))
        var lastProgress = now()
        var firstError: KafkaError?
        while records < expected, now() - lastProgress < idleSeconds {
            let before = records
            consumer.consumeBatch(maxRecords: 10_000, timeoutMillis: 100, onRecord: { record in
                records += 1
                valueBytes += record.withValue { $0?.count ?? 0 }
            }, onEvent: { event in
                if case .error(let error, _) = event, firstError == nil { firstError = error }
            })
            if records > before { lastProgress = now() }
        }
        let seconds = now() - start
        try? consumer.close()
        if let firstError, records < expected { throw firstError }
        return RawConsumeResult(seconds: seconds, records: records, valueBytes: valueBytes, truncatedPartitions: truncated)
    }
}

/// A benchmark failure with a message for the operator.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
