/// The outcome of decoding one input record: its usage, or why it goes to the
/// dead-letter topic.
public enum ExtractionResult: Sendable, Equatable {
    /// `unpriced` lists the cost meters the event had tokens for but no
    /// price; they are left out of `samples`.
    case usage(UsageRecord, unpriced: [UnpricedUsage] = [])
    /// `detail` is a short human-readable explanation for logs; the reason's
    /// raw value is the dead letter's `meterd.reason` header.
    case rejected(RejectReason, detail: String)

    /// The usage, or nil when the record was rejected.
    public var usage: UsageRecord? {
        if case .usage(let record, _) = self { return record }
        return nil
    }

    /// The cost meters left out for want of a price (empty when rejected).
    public var unpriced: [UnpricedUsage] {
        if case .usage(_, let unpriced) = self { return unpriced }
        return []
    }

    /// The reject reason, or nil when the record was usable.
    public var rejectReason: RejectReason? {
        if case .rejected(let reason, _) = self { return reason }
        return nil
    }
}
