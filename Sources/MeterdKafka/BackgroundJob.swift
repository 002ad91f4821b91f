import Dispatch
import Synchronization

/// Blocking work (a transaction commit) running on its own OS thread while
/// the thread that started it goes on: `outcome` tells without blocking
/// whether it finished, `wait()` blocks until it has.
///
/// For a caller confined to one thread (the processor) that must not block
/// on a slow librdkafka call but must not start the next step before this
/// one ended either.
public final class BackgroundJob<Value: Sendable>: Sendable {
    private let result = Mutex<Result<Value, any Error>?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `body` on a new thread named `name`.
    public init(name: String, _ body: @escaping @Sendable () throws -> Value) {
        startDetachedThread(name: name) { [self] in
            let outcome: Result<Value, any Error>
            do {
                outcome = .success(try body())
            } catch {
                outcome = .failure(error)
            }
            result.withLock { $0 = outcome }
            finished.signal()
        }
    }

    /// The result once the work has ended; `nil` while it runs.
    public var outcome: Result<Value, any Error>? { result.withLock { $0 } }

    /// Blocks until the work has ended and returns its result.
    public func wait() -> Result<Value, any Error> {
        while true {
            if let outcome { return outcome }
            finished.wait()
            // Let other waiters through as well.
            finished.signal()
        }
    }
}
