import Dispatch
import Foundation

/// Waits for SIGINT or SIGTERM without killing the process, so commands can
/// stop gracefully.
enum ShutdownSignal {
    /// Suspends until SIGINT or SIGTERM arrives; returns its name.
    static func wait() async -> String {
        await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let resumer = OnceResumer(continuation)
            for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { resumer.resume(name) }
                source.resume()
                retainedSources.append(source)
            }
        }
    }

    /// Signal sources live for the rest of the process.
    nonisolated(unsafe) private static var retainedSources: [any DispatchSourceSignal] = []
}

/// Resumes a continuation at most once, whichever signal comes first.
private final class OnceResumer: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<String, Never>?

    init(_ continuation: CheckedContinuation<String, Never>) {
        self.continuation = continuation
    }

    func resume(_ value: String) {
        lock.lock()
        let pending = continuation
        continuation = nil
        lock.unlock()
        pending?.resume(returning: value)
    }
}
