/// The outcome of decoding one input record: its usage, or why it goes to the
/// dead-letter topic.
public enum ExtractionResult: Sendable, Equatable {
    case usage(UsageRecord)
    /// `detail` is a short human-readable explanation for logs; the reason's
    /// raw value is the dead letter's `meterd.reason` header.
    case rejected(RejectReason, detail: String)

    /// The usage, or nil when the record was rejected.
    public var usage: UsageRecord? {
        if case .usage(let record) = self { return record }
        return nil
    }

    /// The reject reason, or nil when the record was usable.
    public var rejectReason: RejectReason? {
        if case .rejected(let reason, _) = self { return reason }
        return nil
    }
}
