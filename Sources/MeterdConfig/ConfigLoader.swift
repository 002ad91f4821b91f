import Foundation
import MeterdCore
import Yams

/// Turns `meterd.yaml` into a `MeterdConfiguration`, or into the complete
/// list of what is wrong with it, each problem placed at its file, line and
/// column.
///
/// Structural problems (YAML syntax, unknown keys, wrong types, missing
/// required keys) come from reading the YAML node tree; semantic ones from
/// `ConfigValidation`, placed through the marks of the nodes their paths
/// name. A semantic problem inside a path that already has a structural one
/// is left out: it would only repeat it.
public enum ConfigLoader {
    /// What reading a configuration found.
    public struct Outcome: Sendable {
        /// The configuration as far as it could be read (defaults elsewhere);
        /// meaningful only when `problems` is empty.
        public var configuration: MeterdConfiguration
        /// Every problem, ordered by line and column.
        public var problems: [ConfigProblem]
    }

    /// The configuration `yaml` describes.
    /// - Parameter file: the name problems are reported under.
    /// - Throws: `ConfigLoadError.invalid` with every problem found.
    public static func load(yaml: String, file: String = "meterd.yaml") throws(ConfigLoadError) -> MeterdConfiguration {
        let outcome = check(yaml: yaml, file: file)
        guard outcome.problems.isEmpty else { throw .invalid(file: file, problems: outcome.problems) }
        return outcome.configuration
    }

    /// The configuration in the file at `path`.
    /// - Throws: `ConfigLoadError.unreadable` or `.invalid`.
    public static func load(contentsOfFile path: String) throws(ConfigLoadError) -> MeterdConfiguration {
        try load(yaml: readText(atPath: path), file: path)
    }

    /// Reads and checks `yaml` without throwing on problems.
    public static func check(yaml: String, file: String = "meterd.yaml") -> Outcome {
        var reader = YAMLNodeReader()
        var configuration = MeterdConfiguration()
        do {
            if let root = try Yams.compose(yaml: yaml) {
                reader.marks[.root] = root.mark
                configuration = reader.configuration(from: root)
            }
        } catch {
            reader.problems.append(syntaxProblem(error))
            return Outcome(configuration: configuration, problems: finish(reader.problems, file: file))
        }
        let structural = reader.problems
        let semantic = ConfigValidation.problems(in: configuration)
            .filter { problem in !structural.contains { problem.configPath.isWithin($0.configPath) } }
            .map { problem in place(problem, marks: reader.marks) }
        return Outcome(configuration: configuration, problems: finish(structural + semantic, file: file))
    }

    /// The text of the file at `path`.
    /// - Throws: `ConfigLoadError.unreadable` saying why.
    public static func readText(atPath path: String) throws(ConfigLoadError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .unreadable(path: path, reason: "it is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "permission denied or read error")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: path, reason: "not UTF-8 text")
        }
        return text
    }

    /// Gives `problem` the mark of its path, or of the nearest enclosing path
    /// that has one (a missing key is reported where its mapping starts).
    private static func place(_ problem: ConfigProblem, marks: [ConfigPath: Mark]) -> ConfigProblem {
        var placed = problem
        var path: ConfigPath? = problem.configPath
        while let current = path {
            if let mark = marks[current] {
                placed.line = mark.line
                placed.column = mark.column
                break
            }
            path = current.parent
        }
        return placed
    }

    private static func finish(_ problems: [ConfigProblem], file: String) -> [ConfigProblem] {
        problems.enumerated()
            .map { offset, problem in
                var problem = problem
                problem.file = file
                problem.line = problem.line ?? 1
                problem.column = problem.column ?? 1
                return (offset, problem)
            }
            .sorted { a, b in
                (a.1.line ?? 1, a.1.column ?? 1, a.0) < (b.1.line ?? 1, b.1.column ?? 1, b.0)
            }
            .map(\.1)
    }

    private static func syntaxProblem(_ error: any Error) -> ConfigProblem {
        guard let yamlError = error as? YamlError else {
            return ConfigProblem(.root, message: "cannot read YAML: \(error)")
        }
        switch yamlError {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let detail = context.map { " \($0.text) (line \($0.mark.line))" } ?? ""
            return ConfigProblem(.root, message: "invalid YAML: \(problem)\(detail)", line: mark.line, column: mark.column)
        case let .duplicatedKeysInMapping(duplicates, context):
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return ConfigProblem(.root, message: "duplicate key \(names) in one mapping", hint: "each key may appear once",
                                 line: context.mark.line, column: context.mark.column)
        case let .reader(problem, _, _, _):
            return ConfigProblem(.root, message: "cannot read YAML: \(problem)")
        default:
            return ConfigProblem(.root, message: "cannot read YAML: \(yamlError)")
        }
    }
}

/// Why a configuration could not be loaded.
public enum ConfigLoadError: Error, Sendable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadable(path: String, reason: String)
    /// The file was read; these are the problems, ordered by line.
    case invalid(file: String, problems: [ConfigProblem])

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "\(path): error: cannot read the configuration: \(reason)"
        case let .invalid(_, problems): return ValidationReport.render(problems)
        }
    }
}
