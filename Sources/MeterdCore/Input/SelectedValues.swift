/// Which root meter selectors are read from for one record.
enum SelectorRoot {
    /// Kong log object (with the `ai["ai-proxy"]` fallback).
    case kong
    /// `data` of a structured CloudEvent.
    case cloudEventData
    /// The value of a binary-mode CloudEvent.
    case binaryData
}

/// The values one walk found in one record, with the accessors meter
/// evaluation and the decoders use. Valid only while the record's bytes are.
struct SelectedValues {
    let bytes: UnsafeBufferPointer<UInt8>
    let slots: UnsafeMutableBufferPointer<ScannedValue>
    /// `ExtractionPlan.selectorSlots`, borrowed for the record.
    let selectorSlots: UnsafeBufferPointer<ExtractionPlan.SelectorSlots>
    var root: SelectorRoot

    /// The value of envelope `field` (structured records only).
    func envelope(_ field: ExtractionPlan.EnvelopeField) -> ScannedValue {
        slots[field.rawValue]
    }

    /// The value of meter selector number `selector` under this record's root.
    func value(ofSelector selector: Int) -> ScannedValue {
        let located = selectorSlots[selector]
        switch root {
        case .kong:
            if located.kongLegacy >= 0, envelope(.aiProxy).isMissing { return slots[located.kongLegacy] }
            return slots[located.kong]
        case .cloudEventData:
            return slots[located.cloudEventData]
        case .binaryData:
            return slots.isEmpty ? .absent : slots[located.binaryData]
        }
    }

    /// The raw bytes of `value` (a string's are between its quotes).
    func raw(_ value: ScannedValue) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[value.start..<value.end])
    }

    /// The text of a string value.
    func text(_ value: ScannedValue) -> String {
        JSONStringDecoder.string(raw(value), hasEscapes: value.hasEscapes)
    }

    /// The text of a non-empty string subject and, when a configured subject
    /// has exactly its bytes, that subject's customer; nil for anything but
    /// a non-empty string.
    func subject(_ value: ScannedValue, _ customers: CustomerDirectory) -> (text: String, customer: String?)? {
        guard value.kind == .string, value.end > value.start else { return nil }
        let known = value.hasEscapes
            ? JSONStringDecoder.unescapedBytes(raw(value)).withUnsafeBufferPointer { customers.configuredSubject($0) }
            : customers.configuredSubject(raw(value))
        if let known { return (known.subject, known.customer) }
        return (text(value), nil)
    }

    /// The text of a non-empty string value, else nil.
    func nonEmptyText(_ value: ScannedValue) -> String? {
        guard value.kind == .string, value.end > value.start else { return nil }
        return text(value)
    }

    /// A non-empty string value as an event id (no `String` made for short
    /// ids without escapes), else nil.
    func nonEmptyEventID(_ value: ScannedValue) -> EventID? {
        guard value.kind == .string, value.end > value.start else { return nil }
        // The walk validated the string's UTF-8.
        return value.hasEscapes ? EventID(text(value)) : EventID(validUTF8: raw(value))
    }
}
