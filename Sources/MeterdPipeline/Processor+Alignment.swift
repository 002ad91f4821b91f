import MeterdKafka

extension Processor {
    /// Pauses input partitions that ran ahead of the slowest one with a
    /// backlog and resumes those it caught up with (`InputTimeAlignment`).
    func alignInputs() {
        if let run = alignmentRun {
            inputAlignment.observe(run.partition, eventTimeMillis: run.eventTimeMillis)
            alignmentRun = nil
        }
        guard !aggregatesInput, !inputAlignment.eventTimes.isEmpty else { return }
        let decision = inputAlignment.decide { tp in
            guard let position = inputPositions[tp], let high = consumer.cachedWatermarks(tp)?.high else { return true }
            return position < high
        }
        if !decision.pause.isEmpty {
            counters.alignmentPauses += decision.pause.count
            do {
                try consumer.pause(decision.pause)
            } catch {
                logger.warning("could not pause input partitions ahead in event time", metadata: ["meterd.error": "\(error)"])
            }
        }
        if !decision.resume.isEmpty { resumeInputs(decision.resume) }
    }

    /// Resumes partitions paused by `alignInputs`.
    func resumeInputs(_ partitions: [TopicPartition]) {
        guard !partitions.isEmpty else { return }
        do {
            try consumer.resume(partitions)
        } catch {
            logger.warning("could not resume input partitions", metadata: ["meterd.error": "\(error)"])
        }
    }
}
