import Crdkafka
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs blocking work (librdkafka's poll loop) on its own OS thread and
/// resumes the awaiting task with its result.
///
/// This is meterd's one boundary between librdkafka's blocking C calls and
/// Swift concurrency: the cooperative thread pool never blocks on Kafka, and
/// everything created inside `body` (consumer, producer, listener) stays
/// confined to that thread.
public func runOnDedicatedThread<Result: Sendable>(
    name: String,
    _ body: @escaping @Sendable () throws -> Result
) async throws -> Result {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
        let job = ThreadJob(name: name) {
            do {
                continuation.resume(returning: try body())
            } catch {
                continuation.resume(throwing: error)
            }
        }
        job.start()
    }
}

/// Runs `work` on a new detached OS thread (inline if none can be created).
func startDetachedThread(name: String, _ work: @escaping @Sendable () -> Void) {
    ThreadJob(name: name, work: work).start()
}

/// A detached pthread running one closure.
private final class ThreadJob: Sendable {
    let name: String
    let work: @Sendable () -> Void

    init(name: String, work: @escaping @Sendable () -> Void) {
        self.name = name
        self.work = work
    }

    /// Names the calling thread after the job (as `top -H`, `ps -L` and
    /// `perf` show it), at most 15 bytes as Linux allows; otherwise it
    /// keeps the name of the thread that started it. Linux only.
    func nameCurrentThread() {
        #if os(Linux)
        name.withCString { meterd_name_current_thread($0) }
        #endif
    }

    func start() {
        let retained = Unmanaged.passRetained(self).toOpaque()
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let result = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            let job = Unmanaged<ThreadJob>.fromOpaque(argument).takeRetainedValue()
            job.nameCurrentThread()
            job.work()
            return nil
        }, retained)
        if result != 0 {
            // No thread could be created: run inline rather than lose the work.
            Unmanaged<ThreadJob>.fromOpaque(retained).release()
            work()
            return
        }
        #if canImport(Glibc)
        pthread_detach(thread)
        #else
        if let thread { pthread_detach(thread) }
        #endif
    }
}
