/// The wire format of generated records (SPEC section 1).
enum TrafficFormat: String, CaseIterable, Sendable {
    /// Kong log serializer JSON, as kafka-log writes it.
    case kong
    /// CloudEvents 1.0 structured JSON with the Kong log object as `data`.
    case cloudevents
}

/// What traffic `meterd generate` makes: how many customers, and which
/// shares of the records are AI calls, exact re-sends, late or malformed.
struct TrafficProfile: Sendable {
    var customers: Int = 20
    /// Gateway consumer names to use instead of `team-1`…`team-N` (the
    /// demo's configured subjects); earlier names are busier.
    var subjects: [String]? = nil
    /// Share of fresh records that carry an `ai.proxy` block.
    var aiShare: Double = 0.4
    /// Share of all records that are byte-exact re-sends of a recent record.
    var duplicateShare: Double = 0.01
    /// Share of fresh records whose event time is 15 s to 5 min in the past.
    var lateShare: Double = 0.02
    /// Share of all records that are truncated (invalid) JSON.
    var malformedShare: Double = 0.005
    var format: TrafficFormat = .kong
}

/// One generated record and what kind of record it is.
struct GeneratedEvent: Sendable {
    enum Kind: Sendable, Equatable {
        case fresh(isAI: Bool, isLate: Bool)
        /// A byte-exact re-send of an earlier record (same `request.id`).
        case duplicate
        /// Bytes that are not valid JSON.
        case malformed
    }

    let bytes: [UInt8]
    let kind: Kind
}
