/// The identity of one decoded event, before meters and customers: what the
/// format decoders produce.
struct EventEnvelope {
    var id: String
    var source: String
    var subject: String
    /// Nil for Kong records, whose type is always `kong.request`.
    var cloudEventType: String?
    var eventTimeMillis: Int64
}

/// A record that goes to the dead-letter topic, and why.
struct Rejection: Error {
    let reason: RejectReason
    let detail: String

    init(_ reason: RejectReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }
}
