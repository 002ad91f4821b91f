import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Kept alive for the whole run; written once, on the main thread, before any child starts.
nonisolated(unsafe) private var signalSources: [DispatchSourceSignal] = []

/// The child processes of the benchmark (broker, `meterd run`), started with
/// their output in log files and all stopped when the driver exits, also on
/// an error or on SIGINT/SIGTERM.
final class ChildProcesses: Sendable {
    static let shared = ChildProcesses()

    private let running = Mutex<[Process]>([])

    /// Starts `executable` with `arguments`; stdout and stderr go to the files given.
    /// `environment` entries are added to (or replace those of) the driver's environment.
    func start(_ executable: String, _ arguments: [String], stdout: String, stderr: String, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        guard FileManager.default.createFile(atPath: stdout, contents: nil), FileManager.default.createFile(atPath: stderr, contents: nil) else {
            throw BenchError("cannot create the log files \(stdout), \(stderr)")
        }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
        try process.run()
        running.withLock { $0.append(process) }
        return process
    }

    /// Sends SIGTERM and waits up to `graceSeconds` for a clean exit, then SIGKILL.
    /// - Returns: the exit status, or nil when it had to be killed.
    @discardableResult
    func stop(_ process: Process, graceSeconds: Double = 20) -> Int32? {
        defer { running.withLock { $0.removeAll { $0 === process } } }
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(graceSeconds)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return nil
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    func crash(_ process: Process) {
        defer { running.withLock { $0.removeAll { $0 === process } } }
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops every child still running, newest first.
    func stopAll() {
        for process in running.withLock({ $0 }).reversed() { stop(process, graceSeconds: 5) }
    }

    /// Stops the children and exits when the driver is interrupted.
    func stopOnSignals() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("pipeline-e2e: signal \(signalNumber), stopping child processes\n".utf8))
                ChildProcesses.shared.stopAll()
                exit(130)
            }
            source.resume()
            signalSources.append(source)
        }
    }
}
