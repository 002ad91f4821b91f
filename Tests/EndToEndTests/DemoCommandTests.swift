import Foundation
import Testing

/// `meterd demo` as a process: the embedded broker, processor, generator
/// and output reader all in one, with `--plain` output (stdout is a pipe).
@Suite("meterd demo as a process", .serialized, .timeLimit(.minutes(4)))
struct DemoCommandTests {
    private func logFile(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("meterd-demo-test-\(name)-\(getpid()).log").path
    }

    /// The number after `prefix` on the line that starts with it.
    private func count(after prefix: String, in lines: [String]) -> Int? {
        lines.last { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)) }
    }

    private func summary(of lines: [String]) -> [String] {
        guard let start = lines.lastIndex(of: "=== meterd demo summary ===") else { return [] }
        return Array(lines[start...])
    }

    @Test("--duration 40s --plain shows rollups and quota events, ends with a summary and exits 0")
    func timedRun() async throws {
        let log = logFile("timed")
        defer { try? FileManager.default.removeItem(atPath: log) }
        let demo = try MeterdProcess(["demo", "--duration", "40s", "--plain", "--seed", "11", "--log-file", log])
        let status = try await demo.waitForExit(timeout: .seconds(150))
        let lines = demo.stdoutLines
        let logText = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(status == 0, "stderr:\n\(demo.stderr)\nlog:\n\(logText.suffix(4000))")
        #expect(lines.contains { $0.hasPrefix("--- meterd demo at ") }, "periodic plain snapshots")

        let summary = summary(of: lines)
        try #require(!summary.isEmpty, "no summary in:\n\(lines.suffix(40).joined(separator: "\n"))")
        let rollupKeys = try #require(count(after: "rollup keys:", in: summary))
        let quotaEvents = try #require(count(after: "quota events:", in: summary))
        #expect(rollupKeys >= 1)
        #expect(quotaEvents >= 1)
        // A free customer's usage row has numbers, and a quota event row names its type.
        let acme = try #require(summary.first { $0.hasPrefix("acme ") && $0.contains("free") })
        #expect(acme.split(separator: " ").contains { Int($0.replacingOccurrences(of: ",", with: "")).map { $0 > 0 } == true }, "row: \(acme)")
        #expect(summary.contains { $0.contains("quota.exceeded") || $0.contains("quota.threshold") })
        #expect(summary.contains { $0.contains("Kong records produced") && $0.contains("on average") })
        #expect(!summary.contains { $0.hasPrefix("note:") }, "a timed run waits for its last windows")
        #expect(!logText.isEmpty, "the processor's logs go to --log-file")
    }

    @Test("SIGINT stops it within a few seconds, with a summary and exit 0")
    func stopsOnSigint() async throws {
        let log = logFile("sigint")
        defer { try? FileManager.default.removeItem(atPath: log) }
        let demo = try MeterdProcess(["demo", "--plain", "--refresh", "1s", "--seed", "5", "--log-file", log])
        // Wait until traffic flows and the processor has joined.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, demo.process.isRunning,
              !demo.stdoutLines.contains(where: { $0.hasPrefix("processor ") && $0.hasSuffix(" · ready") && !$0.hasPrefix("processor  0 ") }) {
            try await Task.sleep(for: .milliseconds(200))
        }
        let signalled = ContinuousClock.now
        let status = try await demo.stop(signal: SIGINT, timeout: .seconds(30))
        let stopTime = ContinuousClock.now - signalled
        let logText = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(status == 0, "stderr:\n\(demo.stderr)\nlog:\n\(logText.suffix(4000))")
        #expect(stopTime < .seconds(10), "stopped in \(stopTime)")
        let summary = summary(of: demo.stdoutLines)
        #expect(count(after: "rollup keys:", in: summary) != nil, "summary:\n\(summary.joined(separator: "\n"))")
        #expect(summary.contains { $0.contains("Kong records produced") })
    }
}
