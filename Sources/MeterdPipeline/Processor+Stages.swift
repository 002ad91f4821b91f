import MeterdCore
import MeterdKafka

extension Processor {
    /// Decodes an input record into `usage` (reusing its storage) or, with
    /// `samples`, into `usage` without samples and the samples there in their
    /// encoding (stage 1 only forwards them); false after dead-lettering it
    /// (unless `deadLettering` is false: a replay re-reads a record already
    /// dead-lettered).
    func extract(
        _ record: borrowing BorrowedRecord, deadLettering: Bool = true, into usage: inout UsageRecord,
        samples: UnsafeMutablePointer<EncodedSamples>? = nil
    ) -> Bool {
        let timestamp = record.timestampMillis ?? 0
        var unpriced: [UnpricedUsage] = []
        // A header-less record's value is followed in librdkafka's buffer by
        // its header count, 0: the JSON walk reads the value there instead of
        // a copy. The headers are asked for after the value is decoded
        // (`lateHeaders`), with that byte in cache, and only decide
        // CloudEvents binary mode.
        let inPlace = record.zeroFollowsValue(readable: UsageExtractor.inPlacePadding)
        let rejection: Rejection? = record.withValue { value in
            guard let value else { return Rejection.noValue }
            if let samples {
                return extractor.extract(
                    value: value, zeroFollowsValue: inPlace, lateHeaders: { Self.headers(of: record) }, recordTimestampMillis: timestamp,
                    unpriced: &unpriced, cache: &textCache, into: &usage, samples: &samples.pointee
                )
            }
            return extractor.extract(
                value: value, zeroFollowsValue: inPlace, lateHeaders: { Self.headers(of: record) }, recordTimestampMillis: timestamp,
                unpriced: &unpriced, cache: &textCache, into: &usage
            )
        }
        if !unpriced.isEmpty { noteUnpriced(unpriced) }
        guard let rejection else { return true }
        if deadLettering {
            let origin = RecordOrigin(topic: record.topic, partition: record.partition, offset: record.offset)
            deadLetter(key: record.key, value: record.value, origin: origin, reason: rejection.reason, detail: rejection.detail)
        } else {
            counters.replaySkippedEvents += 1
        }
        return false
    }

    /// The record's headers as the extractor takes them.
    static func headers(of record: borrowing BorrowedRecord) -> [RecordHeader] {
        record.headers.map { RecordHeader(key: $0.key, value: $0.value ?? []) }
    }

    /// Lends `extracted`, the record every input record is decoded into, for one step.
    @inline(__always)
    private func withReusedRecord(_ body: (inout UsageRecord) -> Void) {
        body(&extracted)
    }

    /// `withReusedRecord(_:)` with stage 1's reused list of encoded samples.
    @inline(__always)
    private func withReusedRecord(_ body: (inout UsageRecord, UnsafeMutablePointer<EncodedSamples>) -> Void) {
        withUnsafeMutablePointer(to: &extractedSamples) { samples in body(&extracted, samples) }
    }

    /// Stage 1: decode an input record; usage goes to the repartition topic
    /// keyed by customer, bad input to the dead-letter topic.
    func repartition(_ record: borrowing BorrowedRecord) {
        let tp = TopicPartition(record.topic, record.partition)
        // Records come in runs per partition: the set lookups are needed only
        // when the partition changes (`stage1Memo` is cleared whenever the
        // assigned or moved partitions change).
        if stage1Memo.assigned != tp {
            guard assignedInputs.contains(tp) else { return }
            noteInputEventTime()
            stage1Memo.alignedEventTimeMillis = .min
            stage1Memo.assigned = tp
            stage1Memo.position = inputPositions.index(forKey: tp)
        }
        // Advance the position first; a record before it is a re-delivery
        // after a rewind. Within a run the position is updated through its
        // index, without hashing the topic name.
        if let index = stage1Memo.position {
            guard record.offset >= inputPositions.values[index] else { return }
            inputPositions.values[index] = record.offset + 1
        } else {
            inputPositions[tp] = record.offset + 1
            stage1Memo.position = inputPositions.index(forKey: tp)
        }
        if startAlignment.isActive, let ahead = startAlignment.delivered(tp) { pauseInputAhead(ahead) }
        let replayed = inputReplayedThrough.isEmpty ? false : inputReplayedThrough[tp].map { record.offset <= $0 } ?? false
        // One access to the reused record for the whole step: reading the
        // stored property again for each use would copy it (a retain and a
        // release of each of its strings and arrays) to guard against
        // changes during the call.
        // The samples go to the repartition topic as they are: encoded straight from the scanned values.
        withReusedRecord { usage, samples in
            guard extract(record, deadLettering: !replayed, into: &usage, samples: samples) else { return }
            if usage.eventTimeMillis > stage1Memo.maxEventTimeMillis { stage1Memo.maxEventTimeMillis = usage.eventTimeMillis }
            if startAlignment.isActive, usage.eventTimeMillis > stage1Memo.alignedEventTimeMillis &+ 1_000 {
                stage1Memo.alignedEventTimeMillis = usage.eventTimeMillis
                if let ahead = startAlignment.decoded(tp, eventTimeMillis: usage.eventTimeMillis) { pauseInputAhead(ahead, inEventTime: true) }
            }
            let origin = RecordOrigin(topic: record.topic, partition: record.partition, offset: record.offset)
            // The partition a record keyed by customer would get: a
            // customer's state lives in exactly one repartition partition.
            let partition = Int(KafkaPartitioner.murmur2(key: usage.customer, partitionCount: repartitionPartitions))
            if partition >= pendingRepartition.count {
                pendingRepartition += Array(repeating: nil, count: partition + 1 - pendingRepartition.count)
            }
            var batch = pendingRepartition[partition].take() ?? RepartitionBatchWriter()
            batch.append(origin: origin, originalKey: record.key, usage: usage, lending: samples)
            pendingRepartition[partition] = batch
            if batch.byteCount >= Self.repartitionBatchBytes { emitRepartitionBatch(partition) }
        }
        if stage1Memo.moved != tp {
            movedInputs.insert(tp)
            stage1Memo.moved = tp
        }
    }

    /// Sends every packed repartition batch; called after each poll and at
    /// the cut, so packing delays nothing beyond one poll.
    func emitRepartitionBatches() {
        for partition in pendingRepartition.indices { emitRepartitionBatch(partition) }
    }

    private func emitRepartitionBatch(_ partition: Int) {
        guard var batch = pendingRepartition[partition].take() else { return }
        let value = batch.count > 0 ? batch.takeBytes() : nil
        pendingRepartition[partition] = batch
        if let value { emit(OutgoingRecord(topic: repartitionTopic, partition: Int32(partition), key: nil, value: value)) }
    }

    /// A packed repartition record is sent once it reaches this size.
    static let repartitionBatchBytes = 128 * 1024

    /// Stage 2: apply a repartitioned usage record to its partition's aggregator.
    func aggregate(_ record: borrowing BorrowedRecord) {
        guard let task = tasks[record.partition], record.offset >= task.nextOffset else { return }
        task.nextOffset = record.offset + 1
        task.hasUncheckpointedChanges = true
        let repartitionOffset = record.offset
        // Entries are lent one at a time in reused storage (no per-entry
        // allocations); the reader lives as long as the processor, so its
        // string cache carries over from one Kafka record to the next.
        do {
            try repartitionReader.forEachEntry(in: record.value ?? []) { origin, originalKey, usage in
                // A copy superseded by a replay is skipped without counting as applied.
                if task.isSupersededByReplay(origin, repartitionOffset: repartitionOffset) || !task.markAppliedIfNew(origin) {
                    counters.replayedCopiesSkipped += 1
                    return
                }
                let replayed = task.isReplayed(origin)
                if let reason = apply(usage, origin: origin, replayed: replayed, to: task) {
                    // The original bytes are read back from the input topic at the commit.
                    pendingDeadLetters.append(PendingDeadLetter(key: originalKey, origin: origin, reason: reason))
                }
            }
        } catch {
            counters.deadLetters["corrupt_repartition_record", default: 0] += 1
            logger.error("skipping a repartition record that cannot be decoded", metadata: [
                "meterd.partition": "\(record.partition)", "meterd.offset": "\(record.offset)", "meterd.error": "\(error)",
            ])
        }
    }

    /// With `inputKeyedBySubject`: decode and aggregate an input record in
    /// one step, in the task of its own partition.
    func aggregateInput(_ record: borrowing BorrowedRecord) {
        guard let task = tasks[record.partition], record.offset >= task.nextOffset else { return }
        task.nextOffset = record.offset + 1
        task.hasUncheckpointedChanges = true
        let origin = RecordOrigin(topic: record.topic, partition: record.partition, offset: record.offset)
        let replayed = task.isReplayed(origin)
        withReusedRecord { usage in
            guard extract(record, deadLettering: !replayed, into: &usage) else { return }
            if let reason = apply(usage, origin: origin, replayed: replayed, to: task) {
                deadLetter(key: record.key, value: record.value, origin: origin, reason: reason, detail: "")
            }
        }
    }

    /// Feeds one usage record to a task's aggregator and emits what it
    /// decides. `replayed`: re-read by an ops replay (see `ReplayScope`).
    /// - Returns: why the record must be dead-lettered, if it must (the
    ///   caller has its original bytes, or knows where to read them).
    func apply(_ usage: UsageRecord, origin: RecordOrigin, replayed: Bool, to task: AggregationTask) -> RejectReason? {
        let lateBefore = task.aggregator.stats.lateAcceptedEvents
        defer { counters.lateEvents += Int(task.aggregator.stats.lateAcceptedEvents - lateBefore) }
        switch task.aggregator.ingest(usage, replayed: replayed) {
        case .accepted(let quotaEvents):
            for event in quotaEvents {
                let output = encoder.encode(event)
                emit(OutgoingRecord(topic: configuration.outputs.quota, key: output.key, value: output.value))
            }
        case .duplicate:
            counters.dedupedEvents += 1
        case .alreadyCounted:
            counters.replaySkippedEvents += 1
        case .rejected where replayed:
            // Re-read by an ops replay: dead-lettered the first time already.
            counters.replaySkippedEvents += 1
        case .rejected(let reason):
            return reason
        }
        return nil
    }
}
