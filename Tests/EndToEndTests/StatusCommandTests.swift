import Foundation
import Testing

@Suite("meterd status as a process", .serialized, .timeLimit(.minutes(2)))
struct StatusCommandTests {
    private var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    private func status(_ bootstrap: String) async throws -> (Int32, [String]) {
        let process = try MeterdProcess(["status", "-c", "\(root)/meterd.yaml", "--bootstrap", bootstrap])
        let code = try await process.waitForExit(timeout: .seconds(60))
        return (code, process.stdoutLines)
    }

    @Test("before and after a run: lag, open windows, state size and the last commit, read from Kafka")
    func statusAfterARun() async throws {
        let broker = try MeterdProcess(["broker", "--topics-dir", "\(root)/topics"])
        let bootstrap = try await broker.waitForLines(1)[0]

        let (emptyCode, empty) = try await status(bootstrap)
        #expect(emptyCode == 0)
        #expect(empty.contains("last commit: none yet"), "\(empty)")
        #expect(empty.contains { $0.hasPrefix("  members: not available (the embedded broker") })

        let generate = try MeterdProcess(["generate", "--bootstrap", bootstrap, "--events", "300", "--rate", "0", "--seed", "9"])
        #expect(try await generate.waitForExit(timeout: .seconds(30)) == 0)
        let run = try MeterdProcess(["run", "-c", "\(root)/meterd.yaml", "--bootstrap", bootstrap, "--http-port", "0", "--instance-id", "status-test"])
        // Wait until every input record went through both stages.
        let deadline = ContinuousClock.now + .seconds(60)
        var lines: [String] = []
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .seconds(2))
            let (_, current) = try await status(bootstrap)
            lines = current
            let partitionLines = lines.filter { $0.contains("gateway.usage[") || $0.contains("meterd-repartition[") }
            if partitionLines.count == 12, partitionLines.allSatisfy({ $0.contains(", lag 0") }),
               lines.contains(where: { $0.contains("meterd-repartition[") && $0.contains("open windows") && !$0.contains("open windows 0") }) {
                break
            }
        }
        #expect(try await run.stop(signal: SIGTERM) == 0)
        let partitionLines = lines.filter { $0.contains("gateway.usage[") || $0.contains("meterd-repartition[") }
        #expect(partitionLines.count == 12, "\(lines)")
        #expect(partitionLines.allSatisfy { $0.contains(", lag 0") }, "\(lines)")
        #expect(lines.contains { $0.contains("meterd-repartition[") && $0.contains("state ") && $0.contains(" bytes") })
        #expect(lines.contains { $0.hasPrefix("last commit: 20") }, "\(lines)")
        _ = try await broker.stop()
    }
}
