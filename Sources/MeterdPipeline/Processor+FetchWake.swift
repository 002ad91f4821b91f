import MeterdKafka

extension Processor {
    /// See `FetchWaker`: after a stretch of catching up, an almost empty
    /// queue means librdkafka may have stopped fetching at its queue limit.
    func wakeFetcherIfDrained(taken: Int) {
        takenSinceWake += taken
        guard takenSinceWake >= Self.recordsPerFetchWake, consumer.queuedRecordCount < Self.drainedQueueRecords else { return }
        let partitions = Array(assignedInputs) + tasks.keys.map { TopicPartition(taskTopic, $0) }
        guard !partitions.isEmpty else { return }
        takenSinceWake = 0
        wakeCursor = (wakeCursor + 1) % partitions.count
        fetchWaker.wake(via: partitions[wakeCursor])
    }

    /// Records consumed between two fetcher wake-ups at most: live traffic
    /// of a few hundred records a second wakes it every few seconds.
    static let recordsPerFetchWake = 2_000
    static let drainedQueueRecords = 2_000
}
