import Crdkafka

/// The partitions of chosen topics read from their own librdkafka queues
/// (split off the consumer queue before they are assigned) and merged by
/// record timestamp, so records are handed out in time order across
/// partitions however the broker chunks its fetches — Kafka Streams' rule of
/// taking the partition whose head record has the smallest timestamp.
///
/// Each partition keeps a small buffer of messages taken from its queue;
/// a seek or a revocation drops the partition's buffer.
final class TimeOrderedPartitions {
    /// One split partition: its queue and the messages taken but not handed out.
    final class Partition {
        let queue: OpaquePointer
        var buffer: [UnsafeMutablePointer<rd_kafka_message_t>?]
        var head = 0
        var count = 0
        /// Running maximum of the record timestamps handed out (keeps the
        /// partition's own order when timestamps go back).
        var time: Int64 = .min

        init(queue: OpaquePointer, capacity: Int) {
            self.queue = queue
            buffer = Array(repeating: nil, count: capacity)
        }

        var isEmpty: Bool { head == count }

        /// Timestamp that orders the head message (kept up to date by `refill` and `advance`).
        private(set) var headTime: Int64 = .min

        private func updateHeadTime() {
            guard !isEmpty, let message = buffer[head] else { return }
            guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                headTime = .min   // events (errors, end of partition) go first
                return
            }
            var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
            let stamp = rd_kafka_message_timestamp(message, &type)
            headTime = type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? time : max(time, stamp)
        }

        /// Takes what the queue holds, without waiting, once the buffer is empty.
        func refill() {
            guard isEmpty else { return }
            let taken = buffer.withUnsafeMutableBufferPointer { rd_kafka_consume_batch_queue(queue, 0, $0.baseAddress, $0.count) }
            head = 0
            count = max(0, taken)
            updateHeadTime()
        }

        /// Takes the head message out; refills once the buffer runs dry.
        func take() -> UnsafeMutablePointer<rd_kafka_message_t>? {
            guard !isEmpty, let message = buffer[head] else { return nil }
            buffer[head] = nil
            head += 1
            if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR { time = max(time, headTime) }
            if isEmpty { refill() } else { updateHeadTime() }
            return message
        }

        func dropBuffered() {
            while head < count {
                if let message = buffer[head] { rd_kafka_message_destroy(message) }
                head += 1
            }
            head = 0
            count = 0
        }

        deinit {
            dropBuffered()
            rd_kafka_queue_destroy(queue)
        }
    }

    let topics: Set<String>
    private(set) var partitions: [TopicPartition: Partition] = [:]
    /// Messages taken per partition queue at a time.
    let bufferCapacity: Int

    init(topics: Set<String>, bufferCapacity: Int = 256) {
        self.topics = topics
        self.bufferCapacity = bufferCapacity
    }

    /// Splits the queues of `assigned` partitions of the chosen topics off
    /// the consumer queue; call before they are assigned, so librdkafka
    /// never forwards their messages to the consumer queue.
    func split(_ assigned: [TopicPartition], client: OpaquePointer) {
        for tp in assigned where topics.contains(tp.topic) && partitions[tp] == nil {
            guard let queue = rd_kafka_queue_get_partition(client, tp.topic, tp.partition) else { continue }
            rd_kafka_queue_forward(queue, nil)
            partitions[tp] = Partition(queue: queue, capacity: bufferCapacity)
        }
    }

    /// Forgets revoked partitions and their buffered messages.
    func remove(_ revoked: [TopicPartition]) {
        for tp in revoked { partitions[tp] = nil }
    }

    func removeAll() { partitions = [:] }

    /// Drops the buffered messages of partitions that were sought elsewhere.
    func dropBuffered(_ sought: some Sequence<TopicPartition>) {
        for tp in sought { partitions[tp]?.dropBuffered() }
    }

    /// True when some partition has a message ready without waiting.
    func hasBuffered() -> Bool {
        for partition in partitions.values {
            partition.refill()
            if !partition.isEmpty { return true }
        }
        return false
    }

    /// Hands out up to `limit` messages in timestamp order (events such as
    /// errors first); each is destroyed after `deliver` returns. A partition
    /// whose buffer is empty is asked for more once per call and whenever
    /// it runs dry, never once per message.
    func drain(limit: Int, deliver: (UnsafeMutablePointer<rd_kafka_message_t>) -> Void) -> Int {
        let all = Array(partitions.values)
        for partition in all { partition.refill() }
        var delivered = 0
        while delivered < limit {
            var best: Partition?
            var bestTime = Int64.max
            for partition in all where !partition.isEmpty && (best == nil || partition.headTime < bestTime) {
                best = partition
                bestTime = partition.headTime
            }
            guard let best, let message = best.take() else { break }
            deliver(message)
            rd_kafka_message_destroy(message)
            delivered += 1
        }
        return delivered
    }
}
