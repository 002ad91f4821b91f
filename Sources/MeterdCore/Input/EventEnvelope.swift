/// The identity of one decoded event, before meters and customers: what the
/// format decoders produce.
struct EventEnvelope {
    var id: EventID
    var source: String
    var subject: String
    /// The subject's customer when the decoder found the subject among the
    /// configured ones by its bytes; nil: look it up by `subject`.
    var knownCustomer: String? = nil
    /// Nil for Kong records, whose type is always `kong.request`.
    var cloudEventType: String?
    var eventTimeMillis: Int64
}
