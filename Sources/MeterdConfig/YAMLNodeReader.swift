import MeterdCore
import Yams

/// Typed reads of a composed YAML tree that never stop at the first problem:
/// each read either yields a value or records a structural problem at the
/// node's mark, and every visited path keeps its mark so that semantic
/// problems (addressed by path) can be placed later.
struct YAMLNodeReader {
    var problems: [ConfigProblem] = []
    /// Mark of every visited path: the value's for scalars, the key's for
    /// collections (so a problem points at the line naming it).
    var marks: [ConfigPath: Mark] = [:]

    /// The keys of one mapping, read once, with unknown keys already reported.
    struct Fields {
        let path: ConfigPath
        let mark: Mark?
        var values: [String: Node] = [:]
        /// Keys in document order, for blocks whose extra keys mean something.
        var order: [String] = []

        subscript(_ key: String) -> Node? { values[key] }
    }

    mutating func report(_ path: ConfigPath, at mark: Mark?, _ message: String, hint: String? = nil) {
        problems.append(ConfigProblem(path, message: message, hint: hint, line: mark?.line, column: mark?.column))
    }

    /// Reads `node` as a mapping. With `known`, other keys are reported with
    /// the nearest known key as hint; without it, every key is accepted.
    mutating func fields(_ node: Node, at path: ConfigPath, known: [String]?) -> Fields? {
        guard let mapping = node.mapping else {
            if isNull(node) { return Fields(path: path, mark: node.mark) }
            wrongType(node, at: path, expected: "a mapping")
            return nil
        }
        var fields = Fields(path: path, mark: node.mark)
        for (keyNode, value) in mergingKeys(of: mapping) {
            guard let key = keyNode.scalar?.string else {
                report(path, at: keyNode.mark, "keys must be plain names, found \(kind(of: keyNode))")
                continue
            }
            let keyPath = path.key(key)
            marks[keyPath] = value.scalar != nil ? (value.mark ?? keyNode.mark) : keyNode.mark
            if let known, !known.contains(key) {
                report(keyPath, at: keyNode.mark, "unknown key '\(key)'",
                       hint: NameSuggestion.hint(for: key, among: known) ?? "known keys: \(known.joined(separator: ", "))")
                continue
            }
            fields.values[key] = value
            fields.order.append(key)
        }
        return fields
    }

    /// The entries of `mapping` with YAML merge keys (`<<: *anchor` or
    /// `<<: [*a, *b]`) expanded; keys written in the mapping itself win.
    private func mergingKeys(of mapping: Node.Mapping) -> [(Node, Node)] {
        var own: [(Node, Node)] = []
        var merged: [(Node, Node)] = []
        for (key, value) in mapping {
            guard key.scalar?.string == "<<", key.scalar?.style == .plain else {
                own.append((key, value))
                continue
            }
            let sources = value.sequence.map(Array.init) ?? [value]
            for source in sources {
                guard let sourceMapping = source.mapping else {
                    own.append((key, value))
                    break
                }
                merged.append(contentsOf: mergingKeys(of: sourceMapping))
            }
        }
        let ownKeys = Set(own.compactMap { $0.0.scalar?.string })
        var seen: Set<String> = []
        let inherited = merged.filter { key, _ in
            guard let name = key.scalar?.string else { return false }
            return !ownKeys.contains(name) && seen.insert(name).inserted
        }
        return own + inherited
    }

    /// Reads `node` as a sequence, recording each item's mark.
    mutating func items(_ node: Node, at path: ConfigPath) -> [(path: ConfigPath, node: Node)]? {
        guard let sequence = node.sequence else {
            if !isNull(node) { wrongType(node, at: path, expected: "a list") }
            return isNull(node) ? [] : nil
        }
        return sequence.enumerated().map { i, item in
            let itemPath = path.index(i)
            marks[itemPath] = item.mark
            return (itemPath, item)
        }
    }

    /// A scalar's text as written; nil (and a problem if `required`) when
    /// missing or null, nil and a problem when not a scalar.
    mutating func string(_ fields: Fields, _ key: String, required: Bool = false) -> String? {
        let path = fields.path.key(key)
        guard let node = fields[key], !isNull(node) else {
            if required { missing(key, in: fields) }
            return nil
        }
        guard let scalar = node.scalar else {
            wrongType(node, at: path, expected: "a string")
            return nil
        }
        return scalar.string
    }

    mutating func bool(_ fields: Fields, _ key: String) -> Bool? {
        guard let node = fields[key], !isNull(node) else { return nil }
        guard node.scalar != nil, let value = node.bool else {
            wrongType(node, at: fields.path.key(key), expected: "true or false")
            return nil
        }
        return value
    }

    /// A plain YAML number (quoted numbers are refused: they are strings).
    mutating func number(_ fields: Fields, _ key: String, required: Bool = false) -> Double? {
        guard let node = fields[key], !isNull(node) else {
            if required { missing(key, in: fields) }
            return nil
        }
        return number(node, at: fields.path.key(key))
    }

    mutating func number(_ node: Node, at path: ConfigPath) -> Double? {
        guard node.scalar != nil, let value = node.float, value.isFinite else {
            let quoted = node.scalar.map { $0.style != .plain && $0.style != .any && Double($0.string) != nil } ?? false
            wrongType(node, at: path, expected: "a number", hint: quoted ? "remove the quotes" : nil)
            return nil
        }
        return value
    }

    mutating func integer(_ fields: Fields, _ key: String) -> Int? {
        guard let node = fields[key], !isNull(node) else { return nil }
        guard node.scalar != nil, let value = node.int else {
            wrongType(node, at: fields.path.key(key), expected: "a whole number")
            return nil
        }
        return value
    }

    /// A duration such as `10s`, in milliseconds.
    mutating func duration(_ fields: Fields, _ key: String) -> Int64? {
        guard let node = fields[key], !isNull(node) else { return nil }
        let path = fields.path.key(key)
        guard let text = node.scalar?.string else {
            wrongType(node, at: path, expected: "a duration such as 10s")
            return nil
        }
        do throws(DurationParsing.SyntaxError) {
            return try DurationParsing.millis(text)
        } catch {
            report(path, at: node.mark, error.message, hint: error.hint)
            return nil
        }
    }

    /// One of `cases` by raw value; a problem naming the nearest one otherwise.
    mutating func choice<E: RawRepresentable>(
        _ fields: Fields, _ key: String, among cases: [E], required: Bool = false
    ) -> E? where E.RawValue == String {
        guard let text = string(fields, key, required: required) else { return nil }
        if let value = E(rawValue: text) { return value }
        let names = cases.map(\.rawValue)
        report(fields.path.key(key), at: fields[key]?.mark, "unknown value '\(text)'",
               hint: NameSuggestion.hint(for: text, among: names) ?? "one of \(names.joined(separator: ", "))")
        return nil
    }

    /// A list of scalars as written (numbers and booleans included); a single
    /// scalar counts as a one-item list.
    mutating func strings(_ node: Node, at path: ConfigPath) -> [String]? {
        if isNull(node) { return [] }
        if let scalar = node.scalar { return [scalar.string] }
        guard let items = items(node, at: path) else { return nil }
        var values: [String] = []
        for (itemPath, item) in items {
            guard let scalar = item.scalar, !isNull(item) else {
                wrongType(item, at: itemPath, expected: "a string or number")
                continue
            }
            values.append(scalar.string)
        }
        return values
    }

    mutating func strings(_ fields: Fields, _ key: String) -> [String]? {
        fields[key].flatMap { strings($0, at: fields.path.key(key)) }
    }

    mutating func missing(_ key: String, in fields: Fields) {
        report(fields.path.key(key), at: fields.mark, "missing required key '\(key)'")
    }

    mutating func wrongType(_ node: Node, at path: ConfigPath, expected: String, hint: String? = nil) {
        report(path, at: node.mark, "expected \(expected), found \(kind(of: node))", hint: hint)
    }

    func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar else { return false }
        return scalar.style == .plain && node.null != nil
    }

    func kind(of node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if isNull(node) { return "nothing" }
            return "'\(scalar.string)'"
        }
    }
}
