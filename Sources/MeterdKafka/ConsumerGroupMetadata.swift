import Crdkafka

/// A consumer's group generation and member id, handed to
/// `KafkaProducer.sendOffsetsToTransaction` so the coordinator can fence
/// zombie members (KIP-447).
///
/// `@unchecked Sendable` invariant: the wrapped object is immutable and
/// destroyed only in `deinit`.
public final class ConsumerGroupMetadata: @unchecked Sendable {
    let handle: OpaquePointer

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    /// Metadata for a group id without a live consumer (e.g. an offline
    /// offset rewrite); it fences nothing.
    public convenience init(groupId: String) {
        self.init(handle: rd_kafka_consumer_group_metadata_new(groupId))
    }

    deinit {
        rd_kafka_consumer_group_metadata_destroy(handle)
    }
}
