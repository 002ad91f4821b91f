import MeterdCore
import MeterdKafka

extension Processor {
    public func partitionsAssigned(_ partitions: [TopicPartition], by consumer: KafkaConsumer) -> [TopicPartition: Int64] {
        let starts = restore(partitions)
        logger.info("partitions assigned", metadata: ["meterd.partitions": "\(partitions.map(\.description).joined(separator: ","))"])
        // Published by the next loop iteration, once librdkafka has applied
        // the assignment: readiness and the assigned partitions show together.
        lastPublishMillis = 0
        lastStateSizeMillis = 0
        return starts
    }

    public func partitionsRevoked(_ partitions: [TopicPartition], lost: Bool, by consumer: KafkaConsumer) {
        if lost {
            // Another member may own these already: never commit for them.
            needsReset = true
        }
        commitOrReset()
        let resumed = startAlignment.revoked(partitions)
        if !resumed.isEmpty { try? consumer.resume(resumed) }
        for tp in partitions {
            if isTaskPartition(tp) {
                tasks[tp.partition] = nil
                counters.streamTimeMillis[tp.partition] = nil
                counters.openWindows[tp.partition] = nil
                counters.stateBytes[tp.partition] = nil
            } else {
                inputPositions[tp] = nil
                inputReplayedThrough[tp] = nil
                movedInputs.remove(tp)
                assignedInputs.remove(tp)
                resetStage1Memo()
                counters.inputEventTimeMillis[tp.description] = nil
            }
        }
        logger.info("partitions revoked", metadata: [
            "meterd.partitions": "\(partitions.map(\.description).joined(separator: ","))", "meterd.lost": "\(lost)",
        ])
        publish(force: true)
    }

    /// Rebuilds the state of `partitions` from the changelog and returns
    /// where each resumes: the further of the changelog checkpoint and the
    /// group's committed offset (SPEC section 4).
    func restore(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        counters.ready = false
        let committed = (try? consumer.committed(partitions, timeoutMillis: 10_000)) ?? [:]
        var needed: Set<Int32> = []
        for tp in partitions {
            needed.insert(isTaskPartition(tp)
                ? tp.partition
                : ChangelogRecord.changelogPartition(forInputPartition: tp.partition, changelogPartitions: changelogPartitions))
        }
        let restorer = ChangelogRestorer(kafka: kafka, topic: changelogTopic, logger: logger)
        var contents: [Int32: ChangelogContents] = [:]
        for partition in needed.sorted() {
            let started = ContinuousClock.now
            do {
                let read = try readWithRetries(restorer, partition: partition)
                contents[partition] = read
                counters.restoredRecords += read.recordsRead
                if read.dataLost {
                    counters.dataLossEvents += 1
                    logger.error("DATA LOSS: changelog records needed for restore were deleted by retention", metadata: ["meterd.changelog_partition": "\(partition)"])
                }
                logger.info("changelog partition read", metadata: [
                    "meterd.changelog_partition": "\(partition)", "meterd.records": "\(read.recordsRead)",
                    "meterd.state_records": "\(read.stateRecords.count)", "meterd.seconds": "\((ContinuousClock.now - started) / .seconds(1))",
                ])
            } catch {
                logger.error("restore failed; will rewind and retry", metadata: ["meterd.changelog_partition": "\(partition)", "meterd.error": "\(error)"])
                needsReset = true
            }
        }
        var starts: [TopicPartition: Int64] = [:]
        for tp in partitions {
            let groupOffset = committed[tp] ?? nil
            if isTaskPartition(tp) {
                guard let read = contents[tp.partition] else { continue }
                let aggregator: PartitionAggregator
                do {
                    aggregator = try PartitionAggregator(compiled: compiled, header: read.checkpoint?.aggregatorHeader, records: read.stateRecords)
                } catch {
                    logger.error("changelog state cannot be decoded; starting the partition empty", metadata: ["meterd.partition": "\(tp.partition)", "meterd.error": "\(error)"])
                    counters.dataLossEvents += 1
                    aggregator = PartitionAggregator(compiled: compiled)
                }
                let next = max(read.checkpoint?.nextOffset ?? 0, groupOffset ?? 0)
                let task = AggregationTask(partition: tp.partition, aggregator: aggregator, nextOffset: next, appliedOrigins: read.checkpoint?.appliedOrigins ?? [:],
                                          replayedOrigins: read.checkpoint?.replayedOrigins ?? [:],
                                          rewoundOrigins: read.checkpoint?.rewoundOrigins ?? [:],
                                          rereadCopiesStartOffset: read.checkpoint?.rereadCopiesStartOffset)
                tasks[tp.partition] = task
                counters.restoredPartitions += 1
                starts[tp] = next > 0 ? next : KafkaOffset.beginning
                logger.info("aggregation partition restored", metadata: [
                    "meterd.partition": "\(tp.partition)", "meterd.resume_offset": "\(next)",
                    "meterd.open_windows": "\(aggregator.stateSize.openWindows)",
                ])
            } else {
                assignedInputs.insert(tp)
                resetStage1Memo()
                let mapped = ChangelogRecord.changelogPartition(forInputPartition: tp.partition, changelogPartitions: changelogPartitions)
                let recorded = contents[mapped]?.inputPositions[tp]
                inputReplayedThrough[tp] = contents[mapped]?.inputReplayedThrough[tp]
                let next = max(recorded ?? 0, groupOffset ?? 0)
                if recorded != nil || groupOffset != nil {
                    inputPositions[tp] = next
                    starts[tp] = next
                } else {
                    inputPositions[tp] = nil
                    starts[tp] = KafkaOffset.beginning
                }
            }
        }
        noteInputsToAlign(partitions.filter { !isTaskPartition($0) }, starts: starts)
        counters.ready = !needsReset
        return starts
    }

    /// Tells `startAlignment` which newly assigned input partitions have
    /// records to read from their start (one watermark request each).
    private func noteInputsToAlign(_ inputs: [TopicPartition], starts: [TopicPartition: Int64]) {
        // `assignedInputs` already holds `inputs`: alignment needs two partitions or more.
        guard !inputs.isEmpty, assignedInputs.count > 1 else { return }
        var withRecords: [TopicPartition] = []
        // A broker that does not answer must not hold the rebalance callback:
        // one budget for all requests; partitions not asked about are not awaited.
        let deadline = Self.nowMillis() + 1_000
        for tp in inputs {
            let remaining = deadline - Self.nowMillis()
            guard remaining > 0 else { break }
            guard let marks = try? consumer.watermarks(tp, timeoutMillis: Int32(remaining)) else { continue }
            let start = starts[tp].map { $0 >= 0 ? $0 : marks.low } ?? marks.low
            if marks.high > start { withRecords.append(tp) }
        }
        startAlignment.assigned(withRecords: withRecords, nowMillis: Self.nowMillis())
    }

    /// Pauses an input partition that ran `InputStartAlignment.leadRecords`
    /// ahead of one that has not started, or `leadMillis` ahead in event time.
    func pauseInputAhead(_ partition: TopicPartition, inEventTime: Bool = false) {
        do {
            try consumer.pause([partition])
            if inEventTime {
                logger.info("input partition paused until the others of its assignment catch up in event time", metadata: [
                    "meterd.partition": "\(partition)", "meterd.lead_ms": "\(startAlignment.leadMillis)",
                ])
            } else {
                logger.info("input partition paused until the others of its assignment start", metadata: [
                    "meterd.partition": "\(partition)", "meterd.waiting_for": "\(startAlignment.waiting.sorted().map(\.description).joined(separator: ","))",
                ])
            }
        } catch {
            logger.warning("could not pause an input partition running ahead", metadata: ["meterd.partition": "\(partition)", "meterd.error": "\(error)"])
        }
    }

    /// Resumes the partitions `startAlignment` held back, once the others started or it gave up waiting.
    func resumeAlignedInputs() {
        let due = startAlignment.due(nowMillis: Self.nowMillis())
        guard !due.isEmpty else { return }
        do {
            try consumer.resume(due)
            logger.info("input partitions resumed", metadata: ["meterd.partitions": "\(due.map(\.description).joined(separator: ","))"])
        } catch {
            logger.error("could not resume input partitions; rewinding", metadata: ["meterd.error": "\(error)"])
            needsReset = true
        }
    }

    /// Reads a changelog partition, retrying twice on a transient failure.
    private func readWithRetries(_ restorer: ChangelogRestorer, partition: Int32) throws -> ChangelogContents {
        var attempt = 1
        while true {
            do {
                return try restorer.read(partition: partition, timeoutMillis: 30_000)
            } catch let error as KafkaError where !error.isFatal && attempt < 3 {
                logger.warning("changelog read failed; retrying", metadata: [
                    "meterd.changelog_partition": "\(partition)", "meterd.attempt": "\(attempt)", "meterd.error": "\(error)",
                ])
                attempt += 1
            }
        }
    }

    /// Publishes counters for metrics and status (at most every 500 ms unless forced).
    func publish(force: Bool) {
        let now = Self.nowMillis()
        guard force || now - lastPublishMillis >= Self.publishIntervalMillis else { return }
        lastPublishMillis = now
        // stateSize walks the whole state: refresh it at a slower pace.
        if force || now - lastStateSizeMillis >= 5_000 {
            lastStateSizeMillis = now
            for (partition, task) in tasks {
                let size = task.aggregator.stateSize
                counters.openWindows[partition] = size.openWindows
                counters.stateBytes[partition] = size.approximateBytes
            }
        }
        noteInputEventTime()
        for (partition, task) in tasks {
            if let streamTime = task.aggregator.streamTimeMillis { counters.streamTimeMillis[partition] = streamTime }
        }
        let assigned = (try? consumer.assignment()) ?? []
        counters.assigned = assigned.map(\.description)
        let positions = (try? consumer.position(assigned)) ?? [:]
        counters.lag = [:]
        for tp in assigned {
            guard let marks = consumer.cachedWatermarks(tp), let position = positions[tp] ?? nil else { continue }
            counters.lag[tp.description] = max(0, marks.high - position)
        }
        stats.publish(counters)
    }
}
