import MeterdCore
import MeterdKafka

extension Processor {
    /// Commits everything processed so far and waits for it; on any failure
    /// aborts (or replaces a fenced producer) and rewinds every assigned
    /// partition to its last committed state. Used on stop, revocation and
    /// after an error.
    func commitOrReset() {
        if needsReset {
            reset()
        } else {
            resettingOnFailure(commit)
        }
    }

    /// Commits synchronously: waits for a background commit, commits what
    /// was processed since, and waits for that too.
    func commit() throws {
        try finishBackgroundCommit()
        try startCommit()
        try finishBackgroundCommit()
    }

    /// The periodic commit: starts one unless one is still running, and
    /// never waits for it (`pollBackgroundCommit` picks up its end).
    func commitInBackgroundOrReset() {
        resettingOnFailure(startCommit)
    }

    /// Takes the end of a background commit if it has ended (or, with
    /// `waiting`, once it has); a failed one aborts and rewinds.
    func pollBackgroundCommit(waiting: Bool = false) {
        guard let running = backgroundCommit, waiting || running.job.outcome != nil else { return }
        resettingOnFailure(finishBackgroundCommit)
    }

    /// Runs one step of a commit; if it fails, aborts and rewinds (`reset`).
    private func resettingOnFailure(_ step: () throws -> Void) {
        do {
            try step()
        } catch {
            logger.error("commit failed; aborting and rewinding", metadata: ["meterd.error": "\(error)"])
            reset()
        }
    }

    /// The cut, on the processing thread: everything processed so far goes
    /// into the open transaction, with checkpoints of exactly this state.
    /// Waiting for the acknowledgements and `EndTxn` then runs on a thread of
    /// its own while processing goes on; records emitted meanwhile wait in
    /// `deferredRecords` for the next transaction.
    ///
    /// Invariant: a checkpoint is visible only once every other record of
    /// its transaction was acknowledged, so a reader that sees it (even of an
    /// aborted transaction, on a broker that shows those) sees the whole
    /// transaction; input offsets commit atomically with outputs and
    /// changelog on brokers that support it.
    private func startCommit() throws {
        guard backgroundCommit == nil else { return }
        let started = ContinuousClock.now
        // 1. Emit stage 1's packed records, the dead letters waiting for
        //    their originals, closed and revised windows, then the changed
        //    state: collected first and sent as one burst.
        cutRecords = []
        emitRepartitionBatches()
        writePendingDeadLetters()
        for partition in tasks.keys.sorted() {
            guard let task = tasks[partition] else { continue }
            for rollup in task.aggregator.flush() {
                let output = encoder.encode(rollup)
                emit(OutgoingRecord(topic: configuration.outputs.rollups, key: output.key, value: output.value))
                task.hasUncheckpointedChanges = true
            }
            if task.hasUncheckpointedChanges { writeStateChanges(of: task) }
        }
        if let burst = cutRecords.take() { sendBurst(burst) }
        guard transactionOpen || !movedInputs.isEmpty else { return }
        if needsReset { throw PipelineError.resetRequested }
        // 2. The checkpoints of this cut, written once the rest is acknowledged.
        var checkpoints: [OutgoingRecord] = []
        var offsets: [TopicPartition: Int64] = [:]
        for (partition, task) in tasks where task.hasUncheckpointedChanges {
            let record = ChangelogRecord.checkpoint(task.checkpoint(isFullRefresh: task.refreshInProgress)).keyAndValue
            checkpoints.append(OutgoingRecord(topic: changelogTopic, partition: partition, key: record.key, value: record.value))
            offsets[TopicPartition(taskTopic, partition)] = task.nextOffset
        }
        for tp in movedInputs {
            guard let next = inputPositions[tp] else { continue }
            if let through = inputReplayedThrough[tp], next > through { inputReplayedThrough[tp] = nil }
            let record = ChangelogRecord.inputPosition(
                topic: tp.topic, partition: tp.partition, nextOffset: next, replayedThrough: inputReplayedThrough[tp]
            ).keyAndValue
            let target = ChangelogRecord.changelogPartition(forInputPartition: tp.partition, changelogPartitions: changelogPartitions)
            checkpoints.append(OutgoingRecord(topic: changelogTopic, partition: target, key: record.key, value: record.value))
            offsets[tp] = next
        }
        movedInputs.removeAll()
        stage1Memo.moved = nil
        guard transactionOpen || !checkpoints.isEmpty else {
            // Nothing to write (moved inputs whose partitions were revoked
            // meanwhile): there is no transaction to commit.
            return
        }
        if !transactionOpen {
            try producer.beginTransaction()
            transactionOpen = true
        }
        // Changes from here on belong to the next transaction.
        for task in tasks.values where task.hasUncheckpointedChanges {
            task.hasUncheckpointedChanges = false
            task.refreshInProgress = false
        }
        for record in checkpoints { counters.recordsOut[record.topic, default: 0] += 1 }
        let metadata = consumer.groupMetadata()
        let producer = producer
        let job = BackgroundJob(name: "meterd-commit") { [checkpoints, offsets] in
            try Self.completeTransaction(producer: producer, checkpoints: checkpoints, offsets: offsets, groupMetadata: metadata)
        }
        backgroundCommit = BackgroundCommit(started: started, emitted: ContinuousClock.now, job: job)
    }

    /// Steps 3 and 4 of a commit, off the processing thread: wait until the
    /// transaction's records are acknowledged, write the checkpoints, send
    /// the offsets with the group's generation (KIP-447), commit.
    private static func completeTransaction(
        producer: KafkaProducer, checkpoints: [OutgoingRecord], offsets: [TopicPartition: Int64],
        groupMetadata: ConsumerGroupMetadata?
    ) throws -> CommitTimings {
        let started = ContinuousClock.now
        try producer.flush(timeoutMillis: 30_000)
        if let error = producer.takeDeliveries().firstError { throw error }
        let acknowledged = ContinuousClock.now
        for record in checkpoints { try producer.sendWaitingForQueueSpace(record) }
        if let groupMetadata {
            try producer.sendOffsetsToTransaction(offsets, groupMetadata: groupMetadata, timeoutMillis: 30_000)
        }
        let offsetsSent = ContinuousClock.now
        try producer.commitTransaction(timeoutMillis: 60_000)
        // Committed: every record of it was delivered.
        _ = producer.takeDeliveries()
        return CommitTimings(
            flushSeconds: (acknowledged - started) / .seconds(1),
            offsetsSeconds: (offsetsSent - acknowledged) / .seconds(1),
            endTxnSeconds: (ContinuousClock.now - offsetsSent) / .seconds(1)
        )
    }

    /// Waits for the background commit, if any, and takes its result: on
    /// success the records deferred meanwhile open the next transaction.
    /// - Throws: the commit's error; the transaction is then still open and
    ///   must be aborted (`reset`).
    private func finishBackgroundCommit() throws {
        guard let running = backgroundCommit else { return }
        let outcome = running.job.wait()
        backgroundCommit = nil
        let timings = try outcome.get()
        transactionOpen = false
        counters.lastCommitMillis = Self.nowMillis()
        counters.recordCommit(seconds: (ContinuousClock.now - running.started) / .seconds(1))
        logger.debug("transaction committed", metadata: [
            "meterd.emit_seconds": "\((running.emitted - running.started) / .seconds(1))",
            "meterd.flush_seconds": "\(timings.flushSeconds)",
            "meterd.offsets_seconds": "\(timings.offsetsSeconds)",
            "meterd.end_txn_seconds": "\(timings.endTxnSeconds)",
            "meterd.deferred_records": "\(deferredRecords.count)",
        ])
        let deferred = deferredRecords
        deferredRecords.removeAll(keepingCapacity: true)
        deferredBytes = 0
        sendBurst(deferred)
    }

    private func writeStateChanges(of task: AggregationTask) {
        if task.needsFullRefresh {
            task.aggregator.markAllStateChanged()
            task.refreshInProgress = true
        }
        let changes = task.aggregator.takeStateChanges()
        var bytes = 0
        for change in changes.records {
            let record = ChangelogRecord.state(key: change.key, value: change.value).keyAndValue
            bytes += record.key.count + (record.value?.count ?? 0)
            emit(OutgoingRecord(topic: changelogTopic, partition: task.partition, key: record.key, value: record.value))
        }
        if task.refreshInProgress {
            task.lastRefreshBytes = bytes
            task.changelogBytesSinceRefresh = 0
        } else {
            task.changelogBytesSinceRefresh += bytes
        }
    }

    /// Aborts (or replaces a fenced producer) and rebuilds every assigned
    /// partition from the changelog, rewinding the consumer to match.
    func reset() {
        counters.aborts += 1
        needsReset = false
        if let running = backgroundCommit {
            // Its transaction is aborted below unless it committed.
            if case .success = running.job.wait() { transactionOpen = false }
            backgroundCommit = nil
        }
        // Their records are read again after the rewind.
        pendingDeadLetters.removeAll()
        pendingRepartition.removeAll()
        deferredRecords.removeAll()
        deferredBytes = 0
        if transactionOpen {
            do {
                try producer.abortTransaction(timeoutMillis: 30_000)
            } catch {
                logger.error("abort failed; replacing the producer", metadata: ["meterd.error": "\(error)"])
                replaceProducer()
            }
        }
        if producer.unrecoverableError != nil { replaceProducer() }
        transactionOpen = false
        _ = producer.takeDeliveries()
        let assigned = (try? consumer.assignment()) ?? []
        let starts = restore(assigned)
        if !starts.isEmpty {
            do {
                try consumer.seek(starts, timeoutMillis: 10_000)
            } catch {
                logger.error("rewind failed", metadata: ["meterd.error": "\(error)"])
                needsReset = true
            }
        }
    }

    private func replaceProducer() {
        while true {
            do {
                producer = try Self.makeProducer(configuration: configuration, kafka: kafka, transactionalId: transactionalId, logger: logger)
                return
            } catch {
                logger.error("could not create a transactional producer; retrying", metadata: ["meterd.error": "\(error)"])
                producer.poll(timeoutMillis: 1_000)
            }
        }
    }
}

extension AggregationTask {
    func checkpoint(isFullRefresh: Bool) -> AggregationCheckpoint {
        AggregationCheckpoint(
            nextOffset: nextOffset,
            appliedOrigins: appliedOrigins,
            replayedOrigins: replayedOrigins,
            rewoundOrigins: rewoundOrigins,
            rereadCopiesStartOffset: rereadCopiesStartOffset,
            aggregatorHeader: aggregator.stateHeader(),
            isFullRefresh: isFullRefresh
        )
    }
}

/// A commit whose acknowledgements and `EndTxn` run on their own thread.
struct BackgroundCommit {
    let started: ContinuousClock.Instant
    /// When the cut's records were all handed to the producer.
    let emitted: ContinuousClock.Instant
    let job: BackgroundJob<CommitTimings>
}

/// How long the phases of a commit took off the processing thread.
struct CommitTimings: Sendable {
    var flushSeconds: Double
    var offsetsSeconds: Double
    var endTxnSeconds: Double
}
