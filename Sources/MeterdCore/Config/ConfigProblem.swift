/// One thing wrong with a configuration, addressed by its path in the YAML
/// document (`features[1].meter`) and, once the loader has placed it, by file,
/// line and column.
///
/// `ConfigValidation` produces problems without a location (it never sees
/// YAML); `MeterdConfig.ConfigLoader` fills `file`, `line` and `column` from
/// the marks of the YAML nodes.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    /// Where in the document.
    public var configPath: ConfigPath
    /// `configPath` as text, e.g. `plans.free.successful_requests.limit`.
    public var path: String { configPath.description }
    public var message: String
    /// What to do about it, when there is something useful to say.
    public var hint: String?
    public var file: String?
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column (in Unicode scalars), when known.
    public var column: Int?

    public init(_ path: ConfigPath, message: String, hint: String? = nil, file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.configPath = path
        self.message = message
        self.hint = hint
        self.file = file
        self.line = line
        self.column = column
    }

    /// Compiler style: `FILE:LINE:COLUMN: error: message (hint: …)`.
    public var description: String {
        var text = ""
        if let file { text += "\(file):" }
        if let line { text += "\(line):\(column ?? 1):" }
        if !text.isEmpty { text += " " }
        text += "error: \(path.isEmpty ? "" : "\(path): ")\(message)"
        if let hint { text += " (hint: \(hint))" }
        return text
    }
}

/// Builds the path strings problems are addressed by, the same way in the
/// core checks and in the YAML loader: `.name` for plain names, `["a.b"]` for
/// names with other characters, `[3]` for sequence items.
public struct ConfigPath: Sendable, Hashable, CustomStringConvertible {
    /// Each step as written in the path (`name`, `["a.b"]`, `[3]`).
    private var steps: [String]

    /// The document root (empty path).
    public static let root = ConfigPath(steps: [])

    private init(steps: [String]) { self.steps = steps }

    public var description: String {
        var text = ""
        for step in steps {
            if !text.isEmpty, step.first != "[" { text += "." }
            text += step
        }
        return text
    }

    /// The enclosing path; nil for the root.
    public var parent: ConfigPath? { steps.isEmpty ? nil : ConfigPath(steps: steps.dropLast()) }

    /// The path of the value under `key` of this mapping.
    public func key(_ key: String) -> ConfigPath {
        let plain = !key.isEmpty && key.first != "[" && key.unicodeScalars.allSatisfy { c in
            c == "_" || c == "-" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
        }
        if plain { return ConfigPath(steps: steps + [key]) }
        let escaped = key.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
        return ConfigPath(steps: steps + ["[\"\(escaped)\"]"])
    }

    /// The path of item `index` of this sequence.
    public func index(_ index: Int) -> ConfigPath {
        ConfigPath(steps: steps + ["[\(index)]"])
    }

    /// True when `self` is `other` or lies inside it.
    public func isWithin(_ other: ConfigPath) -> Bool {
        steps.count >= other.steps.count && steps.prefix(other.steps.count).elementsEqual(other.steps)
    }
}

/// "Did you mean …?" for misspelt keys and names.
public enum NameSuggestion {
    /// The candidate closest to `name` by edit distance, if close enough to be
    /// a plausible typo (at most a third of the name's length, at least 1;
    /// case differences are free).
    public static func nearest<C: Collection<String>>(to name: String, among candidates: C) -> String? {
        let lowered = Array(name.lowercased().unicodeScalars)
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let d = editDistance(lowered, Array(candidate.lowercased().unicodeScalars))
            if d < (best?.distance ?? Int.max) { best = (candidate, d) }
        }
        guard let best, best.distance <= Swift.max(1, lowered.count / 3) else { return nil }
        return best.name
    }

    /// `did you mean 'x'?` or nil.
    public static func hint<C: Collection<String>>(for name: String, among candidates: C) -> String? {
        nearest(to: name, among: candidates).map { "did you mean '\($0)'?" }
    }

    private static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
