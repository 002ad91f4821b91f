/// Why a record's bytes are not one well-formed JSON text (RFC 8259, UTF-8).
struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Problem: String, Sendable {
        case empty = "no JSON value"
        case unexpectedEnd = "unexpected end of input"
        case unexpectedByte = "unexpected character"
        case trailingData = "data after the JSON value"
        case tooDeep = "nesting deeper than the limit"
        case controlCharacterInString = "unescaped control character in a string"
        case invalidEscape = "invalid escape sequence"
        case unpairedSurrogate = "unpaired UTF-16 surrogate escape"
        case invalidUTF8 = "invalid UTF-8"
        case invalidNumber = "invalid number"
        case invalidLiteral = "invalid literal"
        case expectedKey = "expected a quoted object key"
        case expectedColon = "expected ':' after an object key"
        case expectedCommaOrEnd = "expected ',' or a closing bracket"
    }

    let offset: Int
    let problem: Problem

    var description: String { "\(problem.rawValue) at byte \(offset)" }
}
