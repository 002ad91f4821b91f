/// A record that goes to the dead-letter topic, and why.
public struct Rejection: Error, Sendable, Equatable {
    /// The machine-readable reason (the `meterd.reason` header).
    public let reason: RejectReason
    /// What exactly was wrong, for logs.
    public let detail: String

    init(_ reason: RejectReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    /// A Kafka record without a value (a tombstone) on an input topic.
    public static let noValue = Rejection(.malformedJSON, "record has no value")
}
