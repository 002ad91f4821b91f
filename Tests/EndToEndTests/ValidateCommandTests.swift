import Foundation
import Testing

/// `meterd validate` as a process: exit codes, the summary of a valid file,
/// and every problem of an invalid one with its line, column and hint.
@Suite("meterd validate as a process", .timeLimit(.minutes(1)))
struct ValidateCommandTests {
    private func validate(_ path: String) async throws -> (status: Int32, stdout: String, stderr: String) {
        let process = try MeterdProcess(["validate", "-c", path])
        let status = try await process.waitForExit(timeout: .seconds(30))
        return (status, process.stdoutLines.joined(separator: "\n"), process.stderr)
    }

    private func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("meterd-validate-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("the sample configuration is valid: exit 0 and a summary")
    func validSample() async throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("meterd.yaml").path
        let result = try await validate(sample)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("meterd.yaml: OK"))
        #expect(result.stdout.contains("meters (6)"))
        #expect(result.stdout.contains("prices (USD)"))
    }

    @Test("an invalid file: exit 1, every problem with line:column and a hint")
    func invalidFile() async throws {
        let path = try write("""
        appId: x
        windows: { size: 7m }
        meters:
          - slug: a
            eventType: kong.request
            aggregation: SUMM
        features: []
        """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await validate(path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path):2:18: error: windows.size"), "\(result.stderr)")
        #expect(result.stderr.contains("\(path):6:18: error: meters[0].aggregation: unknown value 'SUMM' (hint: did you mean 'SUM'?)"))
        #expect(result.stderr.contains("\(path):7:1: error: features"))
        #expect(result.stderr.contains("3 problems"))
        #expect(result.stdout.isEmpty)
    }

    @Test("a missing file: exit 1 with a plain message")
    func missingFile() async throws {
        let result = try await validate("/nonexistent/meterd.yaml")
        #expect(result.status == 1)
        #expect(result.stderr.contains("/nonexistent/meterd.yaml"), "\(result.stderr)")
    }
}
