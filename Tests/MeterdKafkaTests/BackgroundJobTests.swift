import Foundation
import MeterdKafka
import Synchronization
import Testing

@Suite("BackgroundJob: blocking work on a thread of its own")
struct BackgroundJobTests {
    @Test("outcome is nil while the work runs; wait returns its value, and so does outcome afterwards")
    func valueAfterWait() throws {
        let gate = DispatchSemaphore(value: 0)
        let job = BackgroundJob(name: "test-job") { () -> Int in
            gate.wait()
            return 42
        }
        #expect(job.outcome == nil)
        gate.signal()
        #expect(try job.wait().get() == 42)
        #expect(try job.outcome?.get() == 42)
        // Waiting again does not block.
        #expect(try job.wait().get() == 42)
    }

    @Test("an error thrown by the work is its outcome")
    func errorOutcome() {
        struct Failure: Error, Equatable {}
        let job = BackgroundJob<Int>(name: "test-job") { throw Failure() }
        switch job.wait() {
        case .success: Issue.record("expected the work's error")
        case .failure(let error): #expect(error is Failure)
        }
    }

    @Test("the work runs on another thread while the caller goes on")
    func runsConcurrently() throws {
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let job = BackgroundJob(name: "test-job") { () -> Bool in
            started.signal()
            release.wait()
            return true
        }
        // The caller is not blocked: it can see the job start and let it finish.
        #expect(started.wait(timeout: .now() + 10) == .success)
        #expect(job.outcome == nil)
        release.signal()
        #expect(try job.wait().get() == true)
    }
}

#if os(Linux)
/// The threads meterd starts carry the names they are given, so `ps -L`,
/// `top -H` and `perf` tell the processing loops and commit jobs apart.
@Suite("Thread names")
struct ThreadNameTests {
    static func currentThreadName() throws -> String {
        try String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8).trimmingCharacters(in: .newlines)
    }

    @Test("a dedicated thread is named after its job, cut to Linux's 15 bytes")
    func dedicatedThread() async throws {
        #expect(try await runOnDedicatedThread(name: "meterd-loop-1") { try Self.currentThreadName() } == "meterd-loop-1")
        #expect(try await runOnDedicatedThread(name: "meterd-a-much-longer-name") { try Self.currentThreadName() } == "meterd-a-much-l")
    }

    @Test("a background job's thread is named after the job")
    func backgroundJob() throws {
        let job = BackgroundJob(name: "meterd-commit") { () -> String in (try? ThreadNameTests.currentThreadName()) ?? "" }
        #expect(try job.wait().get() == "meterd-commit")
    }
}
#endif
