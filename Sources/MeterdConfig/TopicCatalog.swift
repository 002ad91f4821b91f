import Foundation
import Yams

/// One topic definition of the project's `topics/` folder.
public struct TopicDefinition: Sendable, Equatable {
    /// Topic name; internal topics are written `{appId}-…` in the file.
    public var name: String
    public var partitions: Int
    public var replicationFactor: Int
    /// Topic configs such as `cleanup.policy`.
    public var configs: [String: String]
    /// True for `<appId>-repartition` and `<appId>-changelog`.
    public var isInternal: Bool
    /// Path of the JSON Schema of the values, relative to `topics/`.
    public var schema: String?

    public init(name: String, partitions: Int, replicationFactor: Int, configs: [String: String], isInternal: Bool = false, schema: String? = nil) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
        self.isInternal = isInternal
        self.schema = schema
    }
}

/// The topics meterd reads and writes, as defined by the `topics/` folder:
/// what `meterd broker` creates and `meterd topics apply` creates or checks.
public struct TopicCatalog: Sendable, Equatable {
    public var topics: [TopicDefinition]

    public init(topics: [TopicDefinition]) {
        self.topics = topics
    }

    /// Why a topic definition could not be read.
    public struct LoadError: Error, CustomStringConvertible {
        public let file: String
        public let message: String
        public var description: String { "\(file): \(message)" }
    }

    /// Reads every `*.yaml` file of `directory`, replacing `{appId}` in names.
    public static func load(directory: String, appId: String) throws(LoadError) -> TopicCatalog {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        } catch {
            throw LoadError(file: directory, message: "cannot list topic definitions: \(error.localizedDescription)")
        }
        var topics: [TopicDefinition] = []
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file)
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                topics.append(try parse(text, file: path, appId: appId))
            } catch let error as LoadError {
                throw error
            } catch {
                throw LoadError(file: path, message: "\(error)")
            }
        }
        return TopicCatalog(topics: topics)
    }

    /// Parses one definition file.
    public static func parse(_ text: String, file: String, appId: String) throws(LoadError) -> TopicDefinition {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw LoadError(file: file, message: "invalid YAML: \(error)")
        }
        guard let mapping = node?.mapping else { throw LoadError(file: file, message: "expected a mapping") }
        guard let rawName = mapping["name"]?.string, !rawName.isEmpty else { throw LoadError(file: file, message: "missing 'name'") }
        guard let partitions = mapping["partitions"]?.int, partitions > 0 else { throw LoadError(file: file, message: "'partitions' must be a positive integer") }
        let replication = mapping["replicationFactor"]?.int ?? 1
        guard replication > 0 else { throw LoadError(file: file, message: "'replicationFactor' must be positive") }
        var configs: [String: String] = [:]
        if let configNode = mapping["configs"] {
            guard let configMapping = configNode.mapping else { throw LoadError(file: file, message: "'configs' must be a mapping") }
            for (key, value) in configMapping {
                guard let key = key.string, let value = value.scalar?.string else { throw LoadError(file: file, message: "configs must map names to scalars") }
                configs[key] = value
            }
        }
        return TopicDefinition(
            name: rawName.replacingOccurrences(of: "{appId}", with: appId),
            partitions: partitions,
            replicationFactor: replication,
            configs: configs,
            isInternal: mapping["internal"]?.bool ?? false,
            schema: mapping["schema"]?.string
        )
    }

    /// Looks for `topics/` next to the working directory or the executable.
    public static func defaultDirectory(executablePath: String = CommandLine.arguments[0]) -> String? {
        let fileManager = FileManager.default
        var candidates = [fileManager.currentDirectoryPath + "/topics"]
        var url = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(url.appendingPathComponent("topics").path)
            url = url.deletingLastPathComponent()
        }
        return candidates.first { path in
            var isDirectory: ObjCBool = false
            return fileManager.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }
}
