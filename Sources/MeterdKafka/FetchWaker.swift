import Crdkafka
import Synchronization

extension KafkaConsumer {
    /// Records (and events) waiting in the consumer queue.
    public var queuedRecordCount: Int { Int(rd_kafka_queue_length(consumerQueue)) }
}

/// Wakes a consumer's fetcher after the application drained its queue.
///
/// librdkafka 2.0 stops fetching while the consumer queue holds more than
/// `queued.min.messages` records or `queued.max.messages.kbytes`, and looks
/// again only when the broker's thread wakes up: on network I/O, on an
/// operation, or after up to a second (2.1 added `fetch.queue.backoff.ms`
/// for this). A consumer catching up a backlog of ~1 KB records fills the
/// default 64 MB in a fraction of a second, drains it, then sits idle for
/// the rest of that second. Asking the partition leader for watermarks is a
/// cheap request that wakes that broker's thread, which then fetches again.
public final class FetchWaker: Sendable {
    private let client: KafkaClient
    private let waking = Atomic<Bool>(false)

    public init(consumer: KafkaConsumer) {
        client = consumer.client
    }

    /// Sends a watermark request for `partition` on a thread of its own,
    /// unless one is still under way; never blocks the caller.
    public func wake(via partition: TopicPartition) {
        guard waking.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        let client = client
        startDetachedThread(name: "meterd-fetch-wake") { [waking = self] in
            _ = try? client.watermarks(partition, timeoutMillis: 2_000)
            waking.finished()
        }
    }

    private func finished() {
        waking.store(false, ordering: .releasing)
    }
}
