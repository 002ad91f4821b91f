import MeterdKafka
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The two settings that keep a transaction commit on the embedded broker
/// from waiting on timers: Nagle's algorithm off on the broker's side, and
/// the producer's topic metadata loaded before the first send.
@Suite("Commit latency settings on the embedded broker", .serialized, .timeLimit(.minutes(2)))
struct BrokerLatencySettingsTests {
    @Test("connections the embedded broker accepts have TCP_NODELAY set, as Apache Kafka's do")
    func acceptedConnectionsDisableNagle() throws {
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let port = try #require(broker.bootstrap.split(separator: ",").first?.split(separator: ":").last.flatMap { UInt16($0) })
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(client >= 0)
        defer { close(client) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        // The broker runs in this process: find its end of the connection.
        var accepted: Int32?
        for _ in 0..<100 where accepted == nil {
            accepted = Self.acceptedSocket(localPort: port)
            if accepted == nil { usleep(20_000) }
        }
        let descriptor = try #require(accepted, "the broker's end of the connection was not found")
        var noDelay: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        #expect(getsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, &length) == 0)
        #expect(noDelay == 1)
    }

    @Test("loadTopicMetadata describes existing topics and names the ones the broker does not know")
    func loadsTopicMetadata() throws {
        let broker = try EmbeddedBroker(logger: KafkaTestSupport.quietLogger)
        let topic = KafkaTestSupport.uniqueName("described")
        try broker.createTopic(topic, partitions: 3)
        let producer = try KafkaTestSupport.producer(broker, ["allow.auto.create.topics": "false"])
        #expect(producer.loadTopicMetadata([topic], timeoutMillis: 5_000) == [])
        // The mock creates unknown topics on a metadata request; a topic error stands in for one it cannot describe.
        let unknown = KafkaTestSupport.uniqueName("unknown")
        broker.setTopicError(unknown, .unknownTopicOrPartition)
        #expect(producer.loadTopicMetadata([topic, unknown], timeoutMillis: 2_000) == [unknown])
        try producer.send(OutgoingRecord(topic: topic, partition: 2, value: KafkaTestSupport.bytes("x")))
        try producer.flush(timeoutMillis: 10_000)
        #expect(producer.deliveries.delivered == 1)
    }

    /// A connected (not listening) TCP socket of this process whose local port is `localPort`.
    private static func acceptedSocket(localPort: UInt16) -> Int32? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let descriptor = Int32(name) else { continue }
            var listening: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0, listening == 0 else { continue }
            var address = sockaddr_in()
            var addressLength = socklen_t(MemoryLayout<sockaddr_in>.size)
            let status = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &addressLength) }
            }
            if status == 0, address.sin_family == sa_family_t(AF_INET), address.sin_port.bigEndian == localPort { return descriptor }
        }
        return nil
    }
}
