/// Reads the envelope of a Kong log-serializer record (SPEC section 1) from
/// the values one structured walk found.
enum KongLogDecoder {
    static let eventType = "kong.request"
    static let source = "kong"

    /// A record is Kong when its root has a `request` object and `started_at`.
    static func matches(_ values: SelectedValues) -> Bool {
        values.envelope(.request).kind == .object && values.envelope(.startedAt).kind != .absent
    }

    /// Writes the record's identity (subject, source, id, event time) into
    /// `record` in place, with no intermediate envelope to copy.
    /// - Returns: the subject's customer when the subject is a configured
    ///   one (found by its bytes); nil: look it up by `record.subject`.
    static func decode(_ values: SelectedValues, customers: CustomerDirectory, into record: inout UsageRecord) throws(Rejection) -> String? {
        guard let subject = values.subject(values.envelope(.consumerUsername), customers)
            ?? values.subject(values.envelope(.consumerCustomID), customers)
            ?? values.subject(values.envelope(.consumerID), customers)
        else {
            throw Rejection(.missingSubject, "Kong record without consumer.username, custom_id or id")
        }
        let startedAt = values.envelope(.startedAt)
        guard startedAt.kind == .number, let millis = epochMillis(JSONNumber.parse(values.raw(startedAt))) else {
            throw Rejection(.invalidTime, "started_at is not epoch milliseconds")
        }
        setRequestID(values, into: &record.eventID)
        record.subject = subject.text
        record.source = source
        record.eventTimeMillis = millis
        return subject.customer
    }

    /// `request.id`; Kong before 3.5 writes none, so the record's bytes are
    /// hashed instead: an identical redelivered record still dedupes.
    private static func setRequestID(_ values: SelectedValues, into eventID: inout EventID) {
        let id = values.envelope(.requestID)
        if id.kind == .string, id.end > id.start {
            // The walk validated the string's UTF-8.
            if id.hasEscapes { eventID = EventID(values.text(id)) } else { eventID.replace(validUTF8: values.raw(id)) }
            return
        }
        if id.kind == .number, let text = JSONNumber.canonicalText(raw: values.raw(id)) {
            eventID = EventID(text)
            return
        }
        eventID = EventID(RecordFingerprint.text(of: values.bytes))
    }

    private static func epochMillis(_ value: Double?) -> Int64? {
        guard let value, value.isFinite else { return nil }
        let millis = value.rounded(.down)
        // Kong writes milliseconds since 1970; anything before is not a Kong time.
        guard millis >= 0, millis <= Double(RFC3339Timestamp.maxMillis) else { return nil }
        return Int64(millis)
    }
}

/// A deterministic content id for records that carry none.
enum RecordFingerprint {
    /// `fnv1a64-` and the 64-bit FNV-1a hash of `bytes` in 16 lowercase hex digits.
    static func text(of bytes: UnsafeBufferPointer<UInt8>) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes {
            hash ^= UInt64(b)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let digits = Array("0123456789abcdef".utf8)
        var out = Array("fnv1a64-".utf8)
        for shift in stride(from: 60, through: 0, by: -4) {
            out.append(digits[Int((hash >> UInt64(shift)) & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
