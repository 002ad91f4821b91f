import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One scrape of meterd's Prometheus `/metrics`, as sample name (with its
/// label set, exactly as exposed) → value.
struct MetricsScrape {
    let samples: [String: Double]

    init(text: String) {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        self.samples = samples
    }

    subscript(_ name: String) -> Double { samples[name] ?? 0 }

    func recordsIn(_ topic: String) -> Double { self["meterd_records_in_total{topic=\"\(topic)\"}"] }
    func recordsOut(_ topic: String) -> Double { self["meterd_records_out_total{topic=\"\(topic)\"}"] }

    /// Sum of every sample of a family (e.g. `meterd_partition_lag` over partitions).
    func total(_ family: String) -> Double {
        samples.reduce(0) { sum, entry in
            entry.key == family || entry.key.hasPrefix(family + "{") ? sum + entry.value : sum
        }
    }

    /// The samples of one family, by their label sets (`{partition="…"}`), sorted.
    func family(_ name: String) -> [(key: String, value: Double)] {
        samples.filter { $0.key.hasPrefix(name + "{") }.map { (key: String($0.key.dropFirst(name.count)), value: $0.value) }.sorted { $0.key < $1.key }
    }

    /// GETs `http://127.0.0.1:<port>/metrics`; nil when the server does not answer.
    static func fetch(port: Int) -> MetricsScrape? {
        httpGet(port: port, path: "/metrics").map(MetricsScrape.init(text:))
    }

    /// A minimal HTTP/1.0 GET on the loopback interface: the body, or nil.
    static func httpGet(port: Int, path: String) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { return nil }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response.append(contentsOf: buffer[0..<count])
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.") && text.contains(" 200 "), let split = text.range(of: "\r\n\r\n") else { return nil }
        return String(text[split.upperBound...])
    }
}

/// Memory and CPU of a process, read from `/proc/<pid>/`.
enum ProcStats {
    /// Peak resident set size (VmHWM) in bytes.
    static func peakRSS(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1_024
    }

    /// User + system CPU seconds used so far.
    static func cpuSeconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after "comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
