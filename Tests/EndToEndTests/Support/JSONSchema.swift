import Foundation

/// A JSON Schema (draft 2020-12) validator for the subset meterd's topic
/// schemas use: `type`, `required`, `properties`, `additionalProperties`,
/// `items`, `enum`, `const`, `minimum`/`maximum` and their exclusive forms,
/// `minLength`/`maxLength`, `minItems`, `pattern`, `uniqueItems`,
/// `format: date-time` (checked, RFC 3339) and `$ref` within the document.
///
/// A schema using any other assertion keyword is refused when loaded, so a
/// check can never pass because a keyword was silently ignored.
struct JSONSchema {
    /// Keywords that only annotate: accepted and ignored.
    static let annotations: Set<String> = ["$schema", "$id", "$comment", "$defs", "title", "description", "examples", "default", "deprecated", "readOnly", "writeOnly"]
    static let assertions: Set<String> = [
        "type", "required", "properties", "additionalProperties", "items", "enum", "const", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "pattern", "uniqueItems", "format", "$ref",
    ]
    static let formats: Set<String> = ["date-time"]

    let name: String
    let root: JSONValue

    /// Checks that `root` uses only supported keywords and formats, valid patterns and resolvable `$ref`s.
    init(_ root: JSONValue, name: String) throws(SchemaProblem) {
        self.name = name
        self.root = root
        try check(root, at: "#")
    }

    /// Loads and checks the schema file at `path`.
    init(contentsOfFile path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw SchemaProblem("\(path): cannot read the file") }
        try self.init(try JSONValue.parse(Array(data)), name: (path as NSString).lastPathComponent)
    }

    /// Every way `instance` violates the schema, as "path: message"; empty when it conforms.
    func violations(of instance: JSONValue) -> [String] {
        var found: [String] = []
        validate(instance, against: root, at: "", depth: 0, into: &found)
        return found
    }

    // MARK: Checking the schema itself

    private func check(_ schema: JSONValue, at path: String) throws(SchemaProblem) {
        if case .bool = schema { return }
        guard case .object(let keywords) = schema else { throw SchemaProblem("\(name) \(path): a schema must be an object or a boolean") }
        for (keyword, value) in keywords {
            guard Self.annotations.contains(keyword) || Self.assertions.contains(keyword) else {
                throw SchemaProblem("\(name) \(path): keyword \(keyword) is not supported by this validator")
            }
            switch keyword {
            case "properties", "$defs":
                guard case .object(let members) = value else { throw SchemaProblem("\(name) \(path)/\(keyword): must be an object") }
                for (member, subschema) in members { try check(subschema, at: "\(path)/\(keyword)/\(member)") }
            case "additionalProperties", "items":
                try check(value, at: "\(path)/\(keyword)")
            case "format":
                guard let format = value.stringValue, Self.formats.contains(format) else {
                    throw SchemaProblem("\(name) \(path): format \(value) is not supported by this validator")
                }
            case "pattern":
                guard let pattern = value.stringValue, (try? NSRegularExpression(pattern: pattern)) != nil else {
                    throw SchemaProblem("\(name) \(path): pattern \(value) is not a valid regular expression")
                }
            case "$ref":
                guard let reference = value.stringValue, resolve(reference) != nil else {
                    throw SchemaProblem("\(name) \(path): $ref \(value) does not resolve within the document")
                }
            default:
                break
            }
        }
    }

    /// A `#` or `#/json/pointer` reference within this document.
    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        var node = root
        for token in reference.dropFirst().split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch node {
            case .object(let members): guard let next = members[key] else { return nil }; node = next
            case .array(let items): guard let at = Int(key), items.indices.contains(at) else { return nil }; node = items[at]
            default: return nil
            }
        }
        return node
    }

    // MARK: Validating an instance

    private func validate(_ instance: JSONValue, against schema: JSONValue, at path: String, depth: Int, into found: inout [String]) {
        let here = path.isEmpty ? "/" : path
        switch schema {
        case .bool(true): return
        case .bool(false): found.append("\(here): no value is allowed here"); return
        case .object: break
        default: return
        }
        guard depth < 32 else { found.append("\(here): $ref nesting too deep"); return }
        if let reference = schema["$ref"]?.stringValue, let target = resolve(reference) {
            validate(instance, against: target, at: path, depth: depth + 1, into: &found)
        }
        if let expected = schema["type"], !Self.matches(instance, type: expected) {
            found.append("\(here): expected type \(expected), got \(instance.typeName) \(instance)")
            return
        }
        if let constant = schema["const"], instance != constant {
            found.append("\(here): expected \(constant), got \(instance)")
        }
        if case .array(let allowed)? = schema["enum"], !allowed.contains(instance) {
            found.append("\(here): \(instance) is not one of \(JSONValue.array(allowed))")
        }
        switch instance {
        case .object(let members): validateObject(members, against: schema, at: path, depth: depth, into: &found)
        case .array(let items): validateArray(items, against: schema, at: path, depth: depth, into: &found)
        case .string(let text): validateString(text, against: schema, at: here, into: &found)
        case .number(let number): validateNumber(number, against: schema, at: here, into: &found)
        case .bool, .null: break
        }
    }

    private static func matches(_ instance: JSONValue, type: JSONValue) -> Bool {
        switch type {
        case .string(let name):
            return name == instance.typeName || (name == "number" && instance.typeName == "integer")
        case .array(let names):
            return names.contains { matches(instance, type: $0) }
        default:
            return false
        }
    }

    private func validateObject(_ members: [String: JSONValue], against schema: JSONValue, at path: String, depth: Int, into found: inout [String]) {
        if case .array(let required)? = schema["required"] {
            for case .string(let name) in required where members[name] == nil {
                found.append("\(path.isEmpty ? "/" : path): required property \(name) is missing")
            }
        }
        let properties: [String: JSONValue]
        if case .object(let declared)? = schema["properties"] { properties = declared } else { properties = [:] }
        for (name, value) in members.sorted(by: { $0.key < $1.key }) {
            if let subschema = properties[name] {
                validate(value, against: subschema, at: "\(path)/\(name)", depth: depth + 1, into: &found)
            } else if let additional = schema["additionalProperties"] {
                if additional == .bool(false) {
                    found.append("\(path)/\(name): property \(name) is not allowed")
                } else {
                    validate(value, against: additional, at: "\(path)/\(name)", depth: depth + 1, into: &found)
                }
            }
        }
    }

    private func validateArray(_ items: [JSONValue], against schema: JSONValue, at path: String, depth: Int, into found: inout [String]) {
        if case .number(let minimum)? = schema["minItems"], Double(items.count) < minimum {
            found.append("\(path.isEmpty ? "/" : path): \(items.count) items, at least \(JSONValue.number(minimum)) required")
        }
        if let itemSchema = schema["items"] {
            for (index, item) in items.enumerated() {
                validate(item, against: itemSchema, at: "\(path)/\(index)", depth: depth + 1, into: &found)
            }
        }
        if schema["uniqueItems"] == .bool(true) {
            for index in items.indices where items[..<index].contains(items[index]) {
                found.append("\(path)/\(index): \(items[index]) repeats an earlier item")
            }
        }
    }

    private func validateString(_ text: String, against schema: JSONValue, at here: String, into found: inout [String]) {
        let length = text.unicodeScalars.count
        if case .number(let minimum)? = schema["minLength"], Double(length) < minimum {
            found.append("\(here): \"\(text)\" is shorter than \(JSONValue.number(minimum))")
        }
        if case .number(let maximum)? = schema["maxLength"], Double(length) > maximum {
            found.append("\(here): \"\(text)\" is longer than \(JSONValue.number(maximum))")
        }
        if let pattern = schema["pattern"]?.stringValue, let expression = try? NSRegularExpression(pattern: pattern),
           expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
            found.append("\(here): \"\(text)\" does not match \(pattern)")
        }
        if schema["format"]?.stringValue == "date-time", !RFC3339DateTime.isValid(text) {
            found.append("\(here): \"\(text)\" is not an RFC 3339 date-time")
        }
    }

    private func validateNumber(_ number: Double, against schema: JSONValue, at here: String, into found: inout [String]) {
        let value = JSONValue.number(number)
        if case .number(let bound)? = schema["minimum"], number < bound { found.append("\(here): \(value) < minimum \(JSONValue.number(bound))") }
        if case .number(let bound)? = schema["maximum"], number > bound { found.append("\(here): \(value) > maximum \(JSONValue.number(bound))") }
        if case .number(let bound)? = schema["exclusiveMinimum"], number <= bound { found.append("\(here): \(value) ≤ exclusiveMinimum \(JSONValue.number(bound))") }
        if case .number(let bound)? = schema["exclusiveMaximum"], number >= bound { found.append("\(here): \(value) ≥ exclusiveMaximum \(JSONValue.number(bound))") }
    }
}

/// A schema this validator cannot apply faithfully, or an unreadable schema file.
struct SchemaProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// RFC 3339 section 5.6 `date-time`: `full-date "T" full-time`, with real
/// calendar ranges (leap years; second 60 allowed for leap seconds).
enum RFC3339DateTime {
    static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<from + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ at: Int, _ options: String) -> Bool { at < bytes.count && options.utf8.contains(bytes[at]) }
        guard let year = number(0, 4), byte(4, "-"), let month = number(5, 2), byte(7, "-"), let day = number(8, 2),
              byte(10, "Tt"), let hour = number(11, 2), byte(13, ":"), let minute = number(14, 2), byte(16, ":"),
              let second = number(17, 2)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...monthDays[month - 1]).contains(day), hour < 24, minute < 60, second <= 60 else { return false }
        var index = 19
        if byte(index, ".") {
            index += 1
            let digitsStart = index
            while number(index, 1) != nil { index += 1 }
            guard index > digitsStart else { return false }
        }
        if byte(index, "Zz") { return index + 1 == bytes.count }
        guard byte(index, "+-"), let offsetHour = number(index + 1, 2), byte(index + 3, ":"), let offsetMinute = number(index + 4, 2) else { return false }
        return offsetHour < 24 && offsetMinute < 60 && index + 6 == bytes.count
    }
}
