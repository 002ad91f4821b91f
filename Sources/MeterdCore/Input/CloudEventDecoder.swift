/// Reads the attributes of a CloudEvents 1.0 event (SPEC section 1), in
/// structured mode from the JSON envelope or in binary mode from `ce_*`
/// Kafka headers.
enum CloudEventDecoder {
    /// A structured record is a CloudEvent when its root has `specversion`.
    static func matches(_ values: SelectedValues) -> Bool {
        values.envelope(.specversion).kind != .absent
    }

    /// Binary mode is chosen by the presence of a `ce_specversion` header.
    static func isBinaryMode(_ headers: [RecordHeader]) -> Bool {
        headers.contains { $0.key == "ce_specversion" }
    }

    /// The attributes as optional texts, whichever mode they came from.
    struct Attributes {
        var specversion: String?
        var id: EventID?
        var source: String?
        var type: String?
        var subject: String?
        var time: Time
        /// The subject's customer, when found among the configured subjects by its bytes.
        var knownCustomer: String? = nil
    }

    /// The `time` attribute: absent (take the record's timestamp), parsed, or unusable.
    enum Time {
        case absent
        case millis(Int64)
        case invalid

        init(rfc3339 bytes: UnsafeBufferPointer<UInt8>) {
            self = RFC3339Timestamp.parseMillis(bytes).map { .millis($0) } ?? .invalid
        }
    }

    static func decode(
        _ values: SelectedValues, customers: CustomerDirectory, recordTimestampMillis: Int64
    ) throws(Rejection) -> EventEnvelope {
        let time = values.envelope(.time)
        let parsedTime: Time
        switch time.kind {
        case .absent, .null:
            parsedTime = .absent
        case .string where time.hasEscapes:
            parsedTime = JSONStringDecoder.unescapedBytes(values.raw(time)).withUnsafeBufferPointer { Time(rfc3339: $0) }
        case .string:
            parsedTime = Time(rfc3339: values.raw(time))
        default:
            parsedTime = .invalid
        }
        let subject = values.subject(values.envelope(.subject), customers)
        let attributes = Attributes(
            specversion: values.envelope(.specversion).kind == .string ? values.text(values.envelope(.specversion)) : nil,
            id: values.nonEmptyEventID(values.envelope(.id)),
            source: values.nonEmptyText(values.envelope(.source)),
            type: values.nonEmptyText(values.envelope(.type)),
            subject: subject?.text,
            time: parsedTime,
            knownCustomer: subject?.customer
        )
        return try decode(attributes, recordTimestampMillis: recordTimestampMillis)
    }

    static func decode(headers: [RecordHeader], recordTimestampMillis: Int64) throws(Rejection) -> EventEnvelope {
        func header(_ key: String) -> [UInt8]? { headers.first { $0.key == key }?.value }
        func text(_ key: String) -> String? {
            guard let bytes = header(key), !bytes.isEmpty else { return nil }
            return String(validating: bytes, as: UTF8.self)
        }
        let attributes = Attributes(
            specversion: text("ce_specversion"),
            id: text("ce_id").map { EventID($0) },
            source: text("ce_source"),
            type: text("ce_type"),
            subject: text("ce_subject"),
            time: header("ce_time").map { bytes in bytes.withUnsafeBufferPointer { Time(rfc3339: $0) } } ?? .absent
        )
        return try decode(attributes, recordTimestampMillis: recordTimestampMillis)
    }

    private static func decode(_ a: Attributes, recordTimestampMillis: Int64) throws(Rejection) -> EventEnvelope {
        guard a.specversion == "1.0" else { throw Rejection(.unknownFormat, "CloudEvent specversion is not \"1.0\"") }
        guard let id = a.id, let source = a.source, let type = a.type else {
            throw Rejection(.unknownFormat, "CloudEvent without id, source or type")
        }
        guard let subject = a.subject else { throw Rejection(.missingSubject, "CloudEvent without subject") }
        let millis: Int64
        switch a.time {
        case .absent: millis = recordTimestampMillis
        case .millis(let parsed): millis = parsed
        case .invalid: throw Rejection(.invalidTime, "CloudEvent time is not an RFC 3339 timestamp")
        }
        return EventEnvelope(
            id: id, source: source, subject: subject, knownCustomer: a.knownCustomer, cloudEventType: type, eventTimeMillis: millis
        )
    }
}
