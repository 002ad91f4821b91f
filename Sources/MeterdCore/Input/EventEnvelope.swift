/// The identity of one decoded event, before meters and customers: what the
/// format decoders produce.
struct EventEnvelope {
    var id: String
    var source: String
    var subject: String
    /// The subject's customer when the decoder found the subject among the
    /// configured ones by its bytes; nil: look it up by `subject`.
    var knownCustomer: String? = nil
    /// Nil for Kong records, whose type is always `kong.request`.
    var cloudEventType: String?
    var eventTimeMillis: Int64
}

/// A record that goes to the dead-letter topic, and why.
public struct Rejection: Error, Sendable, Equatable {
    public let reason: RejectReason
    public let detail: String

    init(_ reason: RejectReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    /// A Kafka record without a value (a tombstone) on an input topic.
    public static let noValue = Rejection(.malformedJSON, "record has no value")
}
