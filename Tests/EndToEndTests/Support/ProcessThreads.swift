import Foundation

/// The threads of a running process as Linux shows them in `/proc`: name
/// and nice value, for checks on a started `meterd` (its thread names and
/// librdkafka main threads' priority).
enum ProcessThreads {
    struct Thread: Equatable, CustomStringConvertible {
        var name: String
        var nice: Int
        var description: String { "\(name)@\(nice)" }
    }

    /// Every thread of `pid`; empty off Linux or once the process is gone.
    static func of(pid: Int32) -> [Thread] {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return ids.compactMap { parse(statAt: "/proc/\(pid)/task/\($0)/stat") }
    }

    /// The nice value of `pid` itself (its first thread).
    static func nice(pid: Int32) -> Int? {
        parse(statAt: "/proc/\(pid)/stat")?.nice
    }

    /// A `stat` line: the name between the first `(` and the last `)` (it may
    /// hold spaces), the nice value in field 19, the 17th after the name.
    private static func parse(statAt path: String) -> Thread? {
        guard let stat = try? String(contentsOfFile: path, encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 16, let nice = Int(fields[16]) else { return nil }
        return Thread(name: String(stat[stat.index(after: open)..<close]), nice: nice)
    }
}
