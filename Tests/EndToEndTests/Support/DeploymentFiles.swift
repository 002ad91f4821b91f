import Foundation
import Yams

/// One service of docker-compose.yml, the fields the consistency checks read.
struct ComposeService {
    let name: String
    let image: String?
    /// True when the service is built from the repository's Dockerfile.
    let builtHere: Bool
    let command: [String]
    let entrypoint: [String]
    /// `host:container[:mode]` bind mounts.
    let volumes: [String]
    let healthcheck: [String]
    let environment: [String: String]
}

/// docker-compose.yml, parsed with Yams (anchors and `<<` merge keys resolved).
struct ComposeFile {
    let services: [String: ComposeService]

    init(yaml: String) throws {
        guard let top = try Yams.load(yaml: yaml) as? [String: Any], let services = top["services"] as? [String: Any] else {
            throw E2EFailure("docker-compose.yml: no services mapping")
        }
        var parsed: [String: ComposeService] = [:]
        for (name, value) in services {
            guard let fields = value as? [String: Any] else { throw E2EFailure("docker-compose.yml: service \(name) is not a mapping") }
            let build = fields["build"]
            let context = (build as? String) ?? ((build as? [String: Any])?["context"] as? String)
            parsed[name] = ComposeService(
                name: name,
                image: fields["image"] as? String,
                builtHere: context == "." || context == "./",
                command: Self.words(fields["command"]),
                entrypoint: Self.words(fields["entrypoint"]),
                volumes: (fields["volumes"] as? [Any] ?? []).compactMap { $0 as? String },
                healthcheck: Self.words((fields["healthcheck"] as? [String: Any])?["test"]),
                environment: (fields["environment"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
            )
        }
        self.services = parsed
    }

    /// Services that run the `meterd` image built from this repository.
    var meterdServices: [ComposeService] {
        services.values.filter(\.builtHere).sorted { $0.name < $1.name }
    }

    /// A compose command in exec form (list) or shell form (string split on spaces).
    private static func words(_ value: Any?) -> [String] {
        if let list = value as? [Any] { return list.map { "\($0)" } }
        if let text = value as? String { return text.split(separator: " ").map(String.init) }
        return []
    }
}

/// The instructions of the repository's Dockerfile, in order, with their
/// stage; JSON-array arguments (CMD, ENTRYPOINT) decoded.
struct Dockerfile {
    struct Instruction {
        let stage: Int
        let keyword: String
        let arguments: String

        /// The exec-form arguments (`["a", "b"]`), or the shell-form words.
        var words: [String] {
            if case .array(let items)? = try? JSONValue.parse(arguments) { return items.compactMap(\.stringValue) }
            return arguments.split(separator: " ").map(String.init)
        }
    }

    let instructions: [Instruction]

    init(text: String) {
        var instructions: [Instruction] = []
        var stage = -1
        var pending = ""
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if pending.isEmpty, line.hasPrefix("#") || line.isEmpty { continue }
            if line.hasSuffix("\\") {
                pending += line.dropLast() + " "
                continue
            }
            let whole = pending + line
            pending = ""
            let keyword = String(whole.prefix { !$0.isWhitespace }).uppercased()
            if keyword == "FROM" { stage += 1 }
            let arguments = whole.dropFirst(keyword.count).trimmingCharacters(in: .whitespaces)
            instructions.append(Instruction(stage: stage, keyword: keyword, arguments: arguments))
        }
        self.instructions = instructions
    }

    func all(_ keyword: String) -> [Instruction] { instructions.filter { $0.keyword == keyword } }

    /// The last stage's instructions: what the image runs.
    var finalStage: [Instruction] {
        let last = instructions.map(\.stage).max() ?? 0
        return instructions.filter { $0.stage == last }
    }
}

/// `kafka-topics.sh --create` lines of a compose service's script.
struct TopicCreation: Equatable, CustomStringConvertible {
    let name: String
    let partitions: Int
    let configs: [String: String]

    var description: String { "\(name) partitions=\(partitions) configs=\(configs.sorted { $0.key < $1.key })" }

    /// Every line of `script` that passes `--topic`: its name, partitions and `--config k=v`.
    static func parse(script: String) throws -> [TopicCreation] {
        var creations: [TopicCreation] = []
        for line in script.split(separator: "\n") where line.contains("--topic ") {
            let words = line.split(separator: " ").map(String.init)
            var name: String?
            var partitions: Int?
            var configs: [String: String] = [:]
            for (index, word) in words.enumerated() where index + 1 < words.count {
                let next = words[index + 1]
                switch word {
                case "--topic": name = next
                case "--partitions": partitions = Int(next)
                case "--config":
                    let pair = next.split(separator: "=", maxSplits: 1).map(String.init)
                    guard pair.count == 2 else { throw E2EFailure("compose topic line: bad --config \(next)") }
                    configs[pair[0]] = pair[1]
                default: break
                }
            }
            guard let name, let partitions else { throw E2EFailure("compose topic line without --topic/--partitions: \(line)") }
            creations.append(TopicCreation(name: name, partitions: partitions, configs: configs))
        }
        return creations
    }
}
