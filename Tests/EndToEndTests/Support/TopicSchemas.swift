import Foundation
import MeterdConfig

/// The repository's checked-in files, located from this source file.
enum Repository {
    /// The repository root (where Package.swift, topics/ and meterd.yaml live).
    static var root: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    static func path(_ relative: String) -> String { root + "/" + relative }

    static func text(_ relative: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path(relative)) else {
            throw E2EFailure("\(relative): cannot read \(path(relative))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// The JSON Schemas that topics/*.yaml name for their values (`schema:`),
/// by topic name, loaded through the same `TopicCatalog` `meterd` uses.
enum TopicSchemas {
    static func load(appId: String = "meterd") throws -> [String: JSONSchema] {
        let directory = Repository.path("topics")
        let catalog = try TopicCatalog.load(directory: directory, appId: appId)
        var schemas: [String: JSONSchema] = [:]
        for topic in catalog.topics {
            guard let relative = topic.schema else { continue }
            schemas[topic.name] = try JSONSchema(contentsOfFile: directory + "/" + relative)
        }
        return schemas
    }

    /// The violations of one record value against `schema`, prefixed with `label`.
    static func violations(of value: [UInt8]?, against schema: JSONSchema, label: String) -> [String] {
        guard let value else { return ["\(label): no value"] }
        do {
            return schema.violations(of: try JSONValue.parse(value)).map { "\(label) \($0)" }
        } catch {
            return ["\(label): \(error)"]
        }
    }
}
