import Foundation
import Testing

@Suite("meterd topics apply as a process", .serialized, .timeLimit(.minutes(2)))
struct TopicsCommandTests {
    /// The repository root, where meterd.yaml and topics/ live.
    private var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    private func emptyDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("meterd-no-topics-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func apply(bootstrap: String) async throws -> (status: Int32, lines: [String]) {
        let apply = try MeterdProcess(["topics", "apply", "-c", "\(root)/meterd.yaml", "--bootstrap", bootstrap, "--topics-dir", "\(root)/topics"])
        let status = try await apply.waitForExit(timeout: .seconds(30))
        return (status, apply.stdoutLines)
    }

    @Test("every topic of topics/ present on the embedded broker: ok, exit 0")
    func allPresent() async throws {
        let broker = try MeterdProcess(["broker", "--topics-dir", "\(root)/topics"])
        defer { _ = Task { try? await broker.stop() } }
        let bootstrap = try await broker.waitForLines(1)[0]
        let (status, lines) = try await apply(bootstrap: bootstrap)
        #expect(status == 0, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("note: the embedded broker cannot create topics") })
        for topic in ["gateway.usage", "usage.rollups", "usage.quota", "usage.dlq", "meterd-repartition", "meterd-changelog"] {
            #expect(lines.contains { $0.hasPrefix("ok") && $0.contains(" \(topic) (") }, "\(topic) in \(lines)")
        }
        _ = try await broker.stop()
    }

    @Test("missing topics and partition drift are reported, exit 1")
    func missingAndDrift() async throws {
        let broker = try MeterdProcess(["broker", "--topics-dir", try emptyDirectory(), "--topics", "gateway.usage:3"])
        defer { _ = Task { try? await broker.stop() } }
        let bootstrap = try await broker.waitForLines(1)[0]
        let (status, lines) = try await apply(bootstrap: bootstrap)
        #expect(status == 1)
        #expect(lines.contains("drift    gateway.usage: partitions 3, defined 6"), "\(lines)")
        #expect(lines.contains("missing  usage.rollups: create it with meterd broker --topics usage.rollups:6"), "\(lines)")
        _ = try await broker.stop()
    }
}
