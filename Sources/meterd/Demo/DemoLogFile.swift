import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Sends the process's standard error — meterd's log lines and anything
/// librdkafka writes — to a file, so they cannot garble the demo's screen,
/// and keeps the terminal's standard error for messages meant for the user.
enum DemoLogFile {
    struct OpenError: Error, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String { "cannot write the demo's log file \(path): \(reason)" }
    }

    /// `meterd-demo-<pid>.log` in the temporary directory.
    static var defaultPath: String {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return (directory as NSString).appendingPathComponent("meterd-demo-\(ProcessInfo.processInfo.processIdentifier).log")
    }

    /// Points file descriptor 2 at `path` (created or truncated).
    /// - Returns: a handle on the original standard error.
    static func redirectStandardError(to path: String) throws(OpenError) -> FileHandle {
        let file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard file >= 0 else { throw OpenError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(file) }
        fflush(nil)
        let original = dup(STDERR_FILENO)
        guard original >= 0, dup2(file, STDERR_FILENO) >= 0 else {
            throw OpenError(path: path, reason: String(cString: strerror(errno)))
        }
        return FileHandle(fileDescriptor: original, closeOnDealloc: true)
    }
}
