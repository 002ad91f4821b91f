import MeterdKafka

extension Processor {
    /// Wakes the fetcher when `fetchWakeSchedule` says so, through the next
    /// assigned partition in turn (round robin over the leaders).
    func wakeFetcherIfDrained(taken: Int) {
        fetchWakeSchedule.took(records: taken, bytes: roundBytesIn)
        roundBytesIn = 0
        guard fetchWakeSchedule.isDue(queuedRecords: consumer.queuedRecordCount) else { return }
        let partitions = Array(assignedInputs) + tasks.keys.map { TopicPartition(taskTopic, $0) }
        guard !partitions.isEmpty else { return }
        fetchWakeSchedule.woke()
        wakeCursor = (wakeCursor + 1) % partitions.count
        fetchWaker.wake(via: partitions[wakeCursor])
    }
}
