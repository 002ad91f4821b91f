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
        let logFile = Self.openLogFile(arguments)
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
                logFile?.write(data)
                let text = String(decoding: data, as: UTF8.self)
                output.state.withLock { $0.stderr += text }
            }
            try? logFile?.close()
        }
        try process.run()
    }

    /// With `METERD_E2E_LOG_DIR` set, a file there that receives a copy of
    /// the child's stderr, named by time, test process and arguments, so a
    /// failed run's member logs can be read afterwards.
    private static func openLogFile(_ arguments: [String]) -> FileHandle? {
        guard let directory = ProcessInfo.processInfo.environment["METERD_E2E_LOG_DIR"], !directory.isEmpty else { return nil }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let stamp = String(format: "%.3f", Date().timeIntervalSince1970)
        var name = Array(arguments.prefix(1))
        if let index = arguments.firstIndex(of: "--instance-id"), index + 1 < arguments.count { name.append(arguments[index + 1]) }
        name = name.map { String($0.filter { $0.isLetter || $0.isNumber || $0 == "-" }) }
        let path = "\(directory)/\(stamp)-\(getpid())-\(name.joined(separator: "-")).log"
        guard FileManager.default.createFile(atPath: path, contents: Data(("# meterd " + arguments.joined(separator: " ") + "\n").utf8)) else { return nil }
        let handle = FileHandle(forWritingAtPath: path)
        handle?.seekToEndOfFile()
        return handle
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
