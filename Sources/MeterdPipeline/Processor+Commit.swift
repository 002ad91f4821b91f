import MeterdCore
import MeterdKafka

extension Processor {
    /// Commits the open transaction; on any failure aborts it (or replaces a
    /// fenced producer) and rewinds every assigned partition to its last
    /// committed state.
    func commitOrReset() {
        if !needsReset {
            do {
                try commit()
                return
            } catch {
                logger.error("commit failed; aborting and rewinding", metadata: ["meterd.error": "\(error)"])
            }
        }
        reset()
    }

    /// The commit, in named steps. Invariant: a checkpoint is visible only
    /// once every other record of its transaction was acknowledged, so a
    /// reader that sees it (even of an aborted transaction, on a broker that
    /// shows those) sees the whole transaction; input offsets commit
    /// atomically with outputs and changelog on brokers that support it.
    func commit() throws {
        let started = ContinuousClock.now
        // 1. Emit the dead letters waiting for their originals, closed and
        //    revised windows, then the changed state.
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
        guard transactionOpen || !movedInputs.isEmpty else { return }
        if needsReset { throw PipelineError.resetRequested }
        // 2. Wait until all of it is acknowledged.
        let emitted = ContinuousClock.now
        try producer.flush(timeoutMillis: 30_000)
        let acknowledged = ContinuousClock.now
        if let error = producer.takeDeliveries().firstError { throw error }
        // 3. Checkpoints last.
        var offsets: [TopicPartition: Int64] = [:]
        for (partition, task) in tasks where task.hasUncheckpointedChanges {
            let record = ChangelogRecord.checkpoint(task.checkpoint(isFullRefresh: task.refreshInProgress)).keyAndValue
            emit(OutgoingRecord(topic: changelogTopic, partition: partition, key: record.key, value: record.value))
            offsets[TopicPartition(taskTopic, partition)] = task.nextOffset
        }
        for tp in movedInputs {
            guard let next = inputPositions[tp] else { continue }
            if let through = inputReplayedThrough[tp], next > through { inputReplayedThrough[tp] = nil }
            let record = ChangelogRecord.inputPosition(
                topic: tp.topic, partition: tp.partition, nextOffset: next, replayedThrough: inputReplayedThrough[tp]
            ).keyAndValue
            let target = ChangelogRecord.changelogPartition(forInputPartition: tp.partition, changelogPartitions: changelogPartitions)
            emit(OutgoingRecord(topic: changelogTopic, partition: target, key: record.key, value: record.value))
            offsets[tp] = next
        }
        if needsReset { throw PipelineError.resetRequested }
        guard transactionOpen else {
            // Nothing was written (moved inputs whose partitions were revoked
            // meanwhile): there is no transaction to commit.
            movedInputs.removeAll()
            return
        }
        // 4. Offsets with the group's generation, then commit.
        if let metadata = consumer.groupMetadata() {
            try producer.sendOffsetsToTransaction(offsets, groupMetadata: metadata, timeoutMillis: 30_000)
        }
        let offsetsSent = ContinuousClock.now
        try producer.commitTransaction(timeoutMillis: 60_000)
        logger.debug("transaction committed", metadata: [
            "meterd.emit_seconds": "\((emitted - started) / .seconds(1))",
            "meterd.flush_seconds": "\((acknowledged - emitted) / .seconds(1))",
            "meterd.offsets_seconds": "\((offsetsSent - acknowledged) / .seconds(1))",
            "meterd.end_txn_seconds": "\((ContinuousClock.now - offsetsSent) / .seconds(1))",
        ])
        _ = producer.takeDeliveries()
        transactionOpen = false
        movedInputs.removeAll()
        for task in tasks.values {
            task.hasUncheckpointedChanges = false
            task.refreshInProgress = false
        }
        counters.lastCommitMillis = Self.nowMillis()
        counters.recordCommit(seconds: (ContinuousClock.now - started) / .seconds(1))
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
        // Their records are read again after the rewind.
        pendingDeadLetters.removeAll()
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
                producer = try Self.makeProducer(kafka: kafka, transactionalId: transactionalId, logger: logger)
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
