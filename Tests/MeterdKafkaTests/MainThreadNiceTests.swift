import Foundation
import MeterdKafka
import Testing

#if os(Linux)
import Glibc

/// `KafkaConfiguration.mainThreadNice`: a client's librdkafka main thread
/// starts at a raised nice value, and every other librdkafka thread at the
/// process's, also those the main thread creates (which would inherit its value).
///
/// Other suites start clients in this process at the same time, so each test
/// looks only at threads that appeared while it created its own client, and
/// finds its main thread by the nice value it asked for.
@Suite("librdkafka main thread priority", .serialized, .timeLimit(.minutes(1)))
struct MainThreadNiceTests {
    struct ThreadInfo: Equatable {
        var id: Int
        var name: String
        var nice: Int
    }

    /// The nice value of this process (its first thread's).
    static var processNice: Int {
        errno = 0
        return Int(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(getpid())))
    }

    /// Every thread of this process with its name and nice value
    /// (`/proc/self/task/<id>/stat`, field 19).
    static func threads() -> [ThreadInfo] {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return ids.compactMap { entry -> ThreadInfo? in
            guard let id = Int(entry),
                  let stat = try? String(contentsOfFile: "/proc/self/task/\(entry)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { return nil }
            // The name may hold spaces: fields are counted from the `)` that ends it (field 2).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 16, let nice = Int(fields[16]) else { return nil }
            return ThreadInfo(id: id, name: String(stat[stat.index(after: open)..<close]), nice: nice)
        }
    }

    /// Creates a transactional producer with `mainThreadNice` set to
    /// `increment`, lets it find its coordinator (a broker thread the main
    /// thread starts), and returns the librdkafka threads that appeared
    /// meanwhile, once every broker thread among them has started.
    static func threadsOfNewProducer(increment: Int32, broker: EmbeddedBroker) throws -> (producer: KafkaProducer, threads: [ThreadInfo]) {
        let before = Set(threads().map(\.id))
        var configuration = KafkaConfiguration(bootstrap: broker.bootstrap, ["transactional.id": KafkaTestSupport.uniqueName("nice")])
        configuration.mainThreadNice = increment
        let producer = try KafkaProducer(configuration: configuration, logger: KafkaTestSupport.quietLogger)
        try producer.initTransactions(timeoutMillis: 10_000)
        let base = processNice
        var fresh: [ThreadInfo] = []
        // A thread runs the interceptor as it starts: wait out any caught before it did.
        for _ in 0..<100 {
            fresh = threads().filter { !before.contains($0.id) && $0.name.hasPrefix("rdk:") }
            if fresh.filter({ $0.name.hasPrefix("rdk:broker") }).allSatisfy({ $0.nice == base }) { break }
            usleep(20_000)
        }
        return (producer, fresh)
    }

    @Test("the main thread runs at the process's nice value plus the increment; broker threads at the process's")
    func raisedMainThread() throws {
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let base = Self.processNice
        try #require(base <= 12, "the test process already runs at nice \(base)")
        let (producer, fresh) = try Self.threadsOfNewProducer(increment: 7, broker: broker)
        defer { _ = producer }
        #expect(fresh.contains { $0.name == "rdk:main" && $0.nice == base + 7 }, "threads: \(fresh)")
        let brokers = fresh.filter { $0.name.hasPrefix("rdk:broker") }
        #expect(!brokers.isEmpty)
        #expect(brokers.allSatisfy { $0.nice == base }, "threads: \(fresh)")
    }

    @Test("an increment beyond the range stops at nice 19")
    func cappedAt19() throws {
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let (producer, fresh) = try Self.threadsOfNewProducer(increment: 40, broker: broker)
        defer { _ = producer }
        #expect(fresh.contains { $0.name == "rdk:main" && $0.nice == 19 }, "threads: \(fresh)")
        #expect(fresh.filter { $0.name.hasPrefix("rdk:broker") }.allSatisfy { $0.nice == Self.processNice }, "threads: \(fresh)")
    }

    @Test("0, the default, leaves every thread at the process's nice value")
    func defaultLeavesThreads() throws {
        #expect(KafkaConfiguration().mainThreadNice == 0)
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let (producer, fresh) = try Self.threadsOfNewProducer(increment: 0, broker: broker)
        defer { _ = producer }
        #expect(fresh.contains { $0.name == "rdk:main" && $0.nice == Self.processNice }, "threads: \(fresh)")
    }

    @Test("the setting survives the consumer, reader and merged variants of a configuration")
    func variantsKeepTheSetting() {
        var configuration = KafkaConfiguration(bootstrap: "localhost:9092", ["linger.ms": "5"])
        configuration.mainThreadNice = 5
        #expect(configuration.forConsumer.mainThreadNice == 5)
        #expect(configuration.manualReader(isolationLevel: "read_committed").mainThreadNice == 5)
        #expect(configuration.merging(["acks": "all"]).mainThreadNice == 5)
        #expect(configuration.forConsumer.properties["linger.ms"] == nil)
    }
}
#endif
