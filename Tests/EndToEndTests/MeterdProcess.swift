import Foundation
import Synchronization

/// A `meterd` child process for end-to-end tests: started from the built
/// binary, its stdout lines and stderr captured, and always terminated.
final class MeterdProcess: @unchecked Sendable {
    let process = Process()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private let output = CapturedOutput()
    /// The child's stdin when started with `standardInput: true`.
    private let stdinPipe: Pipe?

    /// The `meterd` executable next to the test bundle (`.build/<config>/meterd`).
    static var executableURL: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("meterd")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
        }
        return URL(fileURLWithPath: ".build/debug/meterd")
    }

    init(_ arguments: [String], environment: [String: String] = [:], standardInput: Bool = false) throws {
        stdinPipe = standardInput ? Pipe() : nil
        process.executableURL = Self.executableURL
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = stdinPipe ?? FileHandle.nullDevice
        // Blocking reads on plain threads: FileHandle.readabilityHandler's
        // dispatch sources can crash on Linux when the pipe closes under them.
        let stdoutHandle = stdoutPipe.fileHandleForReading
        let stderrHandle = stderrPipe.fileHandleForReading
        Thread.detachNewThread { [output] in
            while true {
                let data = stdoutHandle.availableData
                if data.isEmpty { break }
                let text = String(decoding: data, as: UTF8.self)
                output.state.withLock { state in
                    let combined = state.partial + text
                    var parts = combined.components(separatedBy: "\n")
                    state.partial = parts.removeLast()
                    state.lines.append(contentsOf: parts)
                }
            }
        }
        Thread.detachNewThread { [output] in
            while true {
                let data = stderrHandle.availableData
                if data.isEmpty { break }
                let text = String(decoding: data, as: UTF8.self)
                output.state.withLock { $0.stderr += text }
            }
        }
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var stdoutLines: [String] { output.state.withLock { $0.lines } }

    /// Writes `line` and a newline to the child's stdin (started with `standardInput: true`).
    func writeLine(_ line: String) throws {
        guard let stdinPipe else { throw ProcessTestError.timeout("process was started without a stdin pipe") }
        try stdinPipe.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }
    var stderr: String { output.state.withLock { $0.stderr } }

    /// Waits until stdout has at least `count` lines.
    func waitForLines(_ count: Int, timeout: Duration = .seconds(20)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let lines = stdoutLines
            if lines.count >= count { return lines }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ProcessTestError.timeout("waiting for \(count) stdout lines; stderr:\n\(stderr)")
    }

    /// Sends `signal` and waits for the exit status.
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(10)) async throws -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        return try await waitForExit(timeout: timeout)
    }

    func waitForExit(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw ProcessTestError.timeout("process did not exit; stderr:\n\(stderr)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }
}

/// What a child wrote so far, filled by the pipes' readability handlers.
final class CapturedOutput: Sendable {
    let state = Mutex<(lines: [String], partial: String, stderr: String)>(([], "", ""))
}

enum ProcessTestError: Error, CustomStringConvertible {
    case timeout(String)
    var description: String {
        switch self {
        case .timeout(let message): return "timeout: \(message)"
        }
    }
}
