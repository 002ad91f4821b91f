/// Where a selected JSON value lies in the record bytes, found by the scanner.
///
/// Only positions are kept: strings are unescaped and numbers parsed later,
/// and only for the values a meter or the envelope actually uses.
struct ScannedValue {
    enum Kind: UInt8 {
        case absent, null, falseLiteral, trueLiteral, number, string, object, array
    }

    var kind: Kind
    /// For strings: true when the raw text holds a backslash escape.
    var hasEscapes: Bool
    /// Strings: first byte after the opening quote; other kinds: first byte.
    var start: Int
    /// Strings: index of the closing quote; other kinds: one past the last byte.
    var end: Int

    static let absent = ScannedValue(kind: .absent, hasEscapes: false, start: 0, end: 0)

    /// Absent or JSON `null`: "not there" for every meter rule.
    var isMissing: Bool { kind == .absent || kind == .null }
}
