/// Why a record could not be used; the raw value is the `meterd.reason`
/// header of its dead letter (SPEC section 1).
public enum RejectReason: String, Sendable, Equatable, Hashable, CaseIterable {
    case malformedJSON = "malformed_json"
    case unknownFormat = "unknown_format"
    case missingSubject = "missing_subject"
    case invalidTime = "invalid_time"
    case invalidValue = "invalid_value"
    case tooLarge = "too_large"
    case tooLate = "too_late"
    case unknownSubject = "unknown_subject"
}
