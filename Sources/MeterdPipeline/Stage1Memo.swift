import MeterdKafka

/// What stage 1 keeps about the input partition whose run of records it is
/// reading, so that the per-partition lookups and bookkeeping happen once
/// per run instead of once per record (`Processor.stage1Memo`).
struct Stage1Memo {
    var assigned: TopicPartition?
    /// The index of `assigned` in `inputPositions`, if it has a position.
    /// Valid until a key is added to or removed from it, which happens
    /// only where the memo is reset or right before it is set again.
    var position: Dictionary<TopicPartition, Int64>.Index?
    var moved: TopicPartition?
    /// The greatest event time decoded from `assigned` since it was last
    /// noted in the counters (`Processor.noteInputEventTime()`).
    var maxEventTimeMillis = Int64.min
    /// The event time of `assigned` last reported to `Processor.startAlignment`:
    /// it is told once per second of event time per run, not per record.
    var alignedEventTimeMillis = Int64.min
}

extension Processor {
    /// Clears `stage1Memo` (its partition's greatest event time goes to the
    /// counters first): whenever the assigned or moved partitions change.
    func resetStage1Memo() {
        noteInputEventTime()
        stage1Memo = Stage1Memo()
    }

    /// Moves the greatest event time of the partition stage 1 is reading
    /// from the memo into the counters (`meterd_input_event_time_seconds`).
    func noteInputEventTime() {
        guard let tp = stage1Memo.assigned, stage1Memo.maxEventTimeMillis != .min else { return }
        let key = tp.description
        counters.inputEventTimeMillis[key] = max(counters.inputEventTimeMillis[key] ?? .min, stage1Memo.maxEventTimeMillis)
        stage1Memo.maxEventTimeMillis = .min
    }
}
