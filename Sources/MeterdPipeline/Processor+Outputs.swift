import MeterdCore
import MeterdKafka

/// The output side of both stages: records go out in the open transaction
/// (or wait for the next one while a commit runs in the background), and
/// dead letters carry the original record and its coordinates.
extension Processor {
    /// Sends a record in the open transaction (beginning one if needed),
    /// waiting for queue space when the local queue is full. While a commit
    /// runs in the background, the record waits for the next transaction.
    func emit(_ record: OutgoingRecord) {
        counters.recordsOut[record.topic, default: 0] += 1
        if record.topic == configuration.outputs.quota { commitSchedule.quotaEventEmitted() }
        if backgroundCommit != nil {
            deferredRecords.append(record)
            deferredBytes += (record.key?.count ?? 0) + (record.value?.count ?? 0)
        } else if cutRecords != nil {
            cutRecords?.append(record)
        } else {
            send(record)
        }
    }

    /// Sends a burst of records, the first of each partition first, so
    /// that one AddPartitionsToTxn round registers them all (`RegistrationOrder`).
    func sendBurst(_ records: consuming [OutgoingRecord]) {
        let order = RegistrationOrder.order(of: records) { RegistrationOrder.destination(of: $0, partitionCounts: partitionCounts) }
        // Each record is moved out of the burst to be sent: read from the
        // array (or through its buffer pointer) it was copied first, a
        // retain and a release of each of its fields.
        var lent = OutgoingRecord(topic: "", value: nil)
        for index in order {
            swap(&lent, &records[index])
            send(lent)
        }
    }

    func send(_ record: OutgoingRecord) {
        do {
            if !transactionOpen {
                try producer.beginTransaction()
                transactionOpen = true
            }
            try producer.sendWaitingForQueueSpace(record)
        } catch {
            logger.error("produce failed; the transaction will be aborted", metadata: ["meterd.error": "\(error)", "meterd.topic": "\(record.topic)"])
            needsReset = true
        }
    }

    /// Writes the dead letters waiting for their original bytes, read back
    /// in one pass; called at the start of each commit.
    func writePendingDeadLetters() {
        guard !pendingDeadLetters.isEmpty else { return }
        let pending = pendingDeadLetters
        pendingDeadLetters.removeAll(keepingCapacity: true)
        let values = originals.fetch(pending.map(\.origin))
        for letter in pending {
            deadLetter(key: letter.key, value: values[letter.origin], origin: letter.origin, reason: letter.reason, detail: "")
        }
    }

    /// A dead letter: the original key and bytes, with the reason and the
    /// original coordinates as headers (SPEC section 3).
    func deadLetter(key: [UInt8]?, value: [UInt8]?, origin: RecordOrigin, reason: RejectReason, detail: String) {
        counters.deadLetters[reason.rawValue, default: 0] += 1
        var headers = [
            KafkaHeader(key: "meterd.reason", string: reason.rawValue),
            KafkaHeader(key: "meterd.topic", string: origin.topic),
            KafkaHeader(key: "meterd.partition", string: "\(origin.partition)"),
            KafkaHeader(key: "meterd.offset", string: "\(origin.offset)"),
        ]
        if !detail.isEmpty { headers.append(KafkaHeader(key: "meterd.detail", string: String(detail.prefix(256)))) }
        // A record larger than the producer's message.max.bytes can never be
        // produced: sending it would fail the transaction on every retry and
        // wedge the processor on this input record. Such a dead letter keeps
        // its coordinates and says how big the original was; the original
        // stays readable on the input topic.
        var key = key
        var value = value
        let limit = deadLetterByteLimit
        if (key?.count ?? 0) + (value?.count ?? 0) > limit, let original = value {
            headers.append(KafkaHeader(key: "meterd.original_bytes", string: "\(original.count)"))
            value = nil
        }
        if let original = key, original.count > limit {
            headers.append(KafkaHeader(key: "meterd.original_key_bytes", string: "\(original.count)"))
            key = nil
        }
        emit(OutgoingRecord(topic: configuration.outputs.dlq, key: key, value: value, headers: headers))
    }

    /// Key plus value bytes a dead letter may carry: the producer's
    /// `message.max.bytes` (16 MiB unless configured) less room for headers
    /// and framing. The DLQ topic must accept records that large
    /// (`max.message.bytes` in topics/usage.dlq.yaml).
    var deadLetterByteLimit: Int {
        (kafka["message.max.bytes"].flatMap { Int($0) } ?? Self.defaultMessageMaxBytes) - 4_096
    }
}

/// A dead letter decided after repartitioning, waiting for its original bytes.
struct PendingDeadLetter {
    var key: [UInt8]?
    var origin: RecordOrigin
    var reason: RejectReason
}
