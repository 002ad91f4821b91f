#if canImport(Glibc)
import Glibc
#endif

extension EmbeddedBroker {
    /// Sets `TCP_NODELAY` on the listening sockets of the mock brokers
    /// (found among this process's descriptors by the ports of `bootstrap`);
    /// on Linux, the connections they accept later inherit it.
    ///
    /// Apache Kafka's socket server disables Nagle's algorithm on every
    /// connection; librdkafka's mock cluster does not. Without this, a small
    /// response that follows another not yet acknowledged one (a produce
    /// acknowledgement, an `EndTxn`) waits for the client's delayed ACK:
    /// about 40 ms, several times per transaction commit.
    /// - Returns: how many listening sockets were changed.
    @discardableResult
    static func disableNagle(onListenersOf bootstrap: String) -> Int {
        #if os(Linux)
        let ports = Set(bootstrap.split(separator: ",").compactMap { address in
            address.split(separator: ":").last.flatMap { UInt16($0) }
        })
        guard !ports.isEmpty, let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var descriptors: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let descriptor = Int32(name) { descriptors.append(descriptor) }
        }
        var changed = 0
        for descriptor in descriptors where isListeningSocket(descriptor) {
            guard let port = localPort(of: descriptor), ports.contains(port) else { continue }
            var on: Int32 = 1
            if setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 { changed += 1 }
        }
        return changed
        #else
        return 0
        #endif
    }

    #if os(Linux)
    private static func isListeningSocket(_ descriptor: Int32) -> Bool {
        var listening: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0 && listening != 0
    }

    /// The local TCP port of an IPv4 or IPv6 socket.
    private static func localPort(of descriptor: Int32) -> UInt16? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard status == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }.sin_port.bigEndian
        case AF_INET6:
            return withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }.sin6_port.bigEndian
        default:
            return nil
        }
    }
    #endif
}
