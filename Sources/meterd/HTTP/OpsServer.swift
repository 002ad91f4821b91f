import Foundation
import Logging
import MeterdPipeline
#if canImport(Glibc)
import Glibc
#endif

/// The operations endpoints of `meterd run`: `/metrics` (Prometheus text
/// format), `/healthz` (process alive) and `/readyz` (joined the group and
/// every assigned partition restored).
///
/// Three fixed GET routes served from one small blocking-socket thread: the
/// processor already owns a dedicated thread for librdkafka, and this keeps
/// an event-loop framework out of the process.
final class OpsServer: Sendable {
    let port: Int
    private let socket: Int32
    private let stats: PipelineStats
    private let logger: Logger

    /// Listens on every interface (Prometheus scrapes from outside the
    /// host) on `port`; 0 picks a free port.
    init(port: Int, stats: PipelineStats, logger: Logger) throws {
        self.stats = stats
        self.logger = logger
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw OpsServerError.socket(errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: INADDR_ANY)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let code = errno
            close(fd)
            throw OpsServerError.bind(port, code)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.socket = fd
        Thread.detachNewThread { [self] in serve() }
    }

    func stop() {
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
    }

    private func serve() {
        while true {
            let client = accept(socket, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            respond(to: client)
            close(client)
        }
    }

    private func respond(to client: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(client, &buffer, buffer.count)
        guard count > 0 else { return }
        let requestLine = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = requestLine.split(separator: " ")
        let path = parts.count >= 2 ? String(parts[1].split(separator: "?").first ?? "") : ""
        let (status, contentType, body) = route(method: parts.first.map(String.init) ?? "", path: path)
        let header = "HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array((header + body).utf8)
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            sent += written
        }
    }

    private func route(method: String, path: String) -> (String, String, String) {
        guard method == "GET" else { return ("405 Method Not Allowed", "text/plain", "only GET\n") }
        switch path {
        case "/metrics":
            return ("200 OK", "text/plain; version=0.0.4", PrometheusExposition.render(stats.snapshot))
        case "/healthz":
            return ("200 OK", "text/plain", "ok\n")
        case "/readyz":
            let counters = stats.snapshot
            return counters.ready
                ? ("200 OK", "text/plain", "ready: \(counters.assigned.count) partitions\n")
                : ("503 Service Unavailable", "text/plain", "not ready: joining the group or restoring state\n")
        default:
            return ("404 Not Found", "text/plain", "try /metrics, /healthz or /readyz\n")
        }
    }
}

enum OpsServerError: Error, CustomStringConvertible {
    case socket(Int32)
    case bind(Int, Int32)

    var description: String {
        switch self {
        case .socket(let code): return "cannot open a socket: \(String(cString: strerror(code)))"
        case .bind(let port, let code): return "cannot listen on port \(port): \(String(cString: strerror(code)))"
        }
    }
}
