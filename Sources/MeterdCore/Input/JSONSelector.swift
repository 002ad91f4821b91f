/// A parsed JSONPath-style selector of SPEC section 1: `$.a.b`, `$.a["x-y"]`,
/// `$.a[0]` and combinations.
///
/// Parsed once when the configuration is compiled; evaluation walks the
/// components against the event (the Kong log object, or a CloudEvent's
/// `data`).
public struct JSONSelector: Sendable, Hashable, CustomStringConvertible {
    /// One step of a selector.
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public let components: [Component]
    /// The selector as written in the configuration.
    public let source: String

    public var description: String { source }

    /// Why a selector string could not be parsed.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        /// Zero-based character offset of the problem.
        public let offset: Int
        public let message: String
        public var description: String { "\(message) at character \(offset + 1)" }
    }

    public init(components: [Component], source: String) {
        self.components = components
        self.source = source
    }

    /// Parses `selector`.
    /// - Throws: `SyntaxError` naming the offending character.
    public init(parsing selector: String) throws(SyntaxError) {
        let chars = Array(selector.unicodeScalars)
        var i = 0
        func fail(_ message: String) -> SyntaxError { SyntaxError(offset: i, message: message) }
        guard chars.first == "$" else { throw fail("a selector starts with '$'") }
        i = 1
        var components: [Component] = []
        while i < chars.count {
            switch chars[i] {
            case ".":
                i += 1
                let start = i
                while i < chars.count, chars[i] != ".", chars[i] != "[" {
                    let c = chars[i]
                    guard c == "_" || c == "-" || c.properties.isAlphabetic || ("0"..."9").contains(c) else {
                        throw fail("unexpected '\(c)' in a property name (use [\"name\"] for special characters)")
                    }
                    i += 1
                }
                guard i > start else { throw fail("empty property name after '.'") }
                components.append(.key(String(String.UnicodeScalarView(chars[start..<i]))))
            case "[":
                i += 1
                guard i < chars.count else { throw fail("unterminated '['") }
                if chars[i] == "\"" || chars[i] == "'" {
                    let quote = chars[i]
                    i += 1
                    var name = String.UnicodeScalarView()
                    while i < chars.count, chars[i] != quote {
                        if chars[i] == "\\", i + 1 < chars.count { i += 1 }
                        name.append(chars[i])
                        i += 1
                    }
                    guard i < chars.count else { throw fail("unterminated quoted name") }
                    i += 1
                    guard i < chars.count, chars[i] == "]" else { throw fail("expected ']' after quoted name") }
                    i += 1
                    components.append(.key(String(name)))
                } else {
                    let start = i
                    while i < chars.count, ("0"..."9").contains(chars[i]) { i += 1 }
                    guard i > start, i - start <= 9 else { throw fail("expected an array index or a quoted name") }
                    guard i < chars.count, chars[i] == "]" else { throw fail("expected ']' after array index") }
                    let index = Int(String(String.UnicodeScalarView(chars[start..<i]))) ?? 0
                    i += 1
                    components.append(.index(index))
                }
            default:
                throw fail("expected '.' or '[' but found '\(chars[i])'")
            }
        }
        guard !components.isEmpty else { throw SyntaxError(offset: 0, message: "selector '$' alone selects nothing") }
        self.components = components
        self.source = selector
    }
}
