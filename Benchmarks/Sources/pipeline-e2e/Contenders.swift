import Foundation

/// One contender of the compare suite while it runs: its processes and a
/// probe of how far it got.
struct RunningContender {
    /// What a probe saw: input records processed, and whether every one of
    /// `events` went through the whole pipeline.
    struct Progress {
        var processed: Int
        var done: Bool
        /// Stage-by-stage detail for `BENCH_TRACE=1`.
        var detail = ""
    }

    var name: String
    var processes: [Process]
    var logHint: String
    /// Polled every 100 ms; the argument is the number of input records expected.
    var probe: (Int) -> Progress

    func stop() {
        for process in processes.reversed() { ChildProcesses.shared.stop(process, graceSeconds: 30) }
    }
}

/// Starts the contenders: `meterd run` processes, and the Python applications
/// of bench/ (quix_app.py, handloop.py) that report progress through a file.
enum Contenders {
    /// `count` members of one meterd group, each with its own instance id and HTTP port.
    static func meterd(
        _ meterd: String, configPath: String, bootstrap: String, count: Int, name: String, logs: String,
        inputTopic: String, repartitionTopic: String, threads: Int = 1, splitStages: Bool = false, logSuffix: String = ""
    ) throws -> RunningContender {
        var processes: [Process] = []
        var ports: [Int] = []
        for member in 1...count {
            let stderr = "\(logs)/\(name)\(logSuffix)-\(member).stderr.log"
            let process = try ChildProcesses.shared.start(
                meterd, ["run", "-c", configPath, "--bootstrap", bootstrap, "--http-port", "0", "--instance-id", "\(name)-\(member)"] + MeterdRunPhase.threadArguments(threads, splitStages: splitStages),
                stdout: "\(logs)/\(name)\(logSuffix)-\(member).stdout.log", stderr: stderr
            )
            processes.append(process)
            ports.append(try MeterdRunPhase.waitForHTTPPort(stderrPath: stderr, process: process))
        }
        let lastScrapes = ScrapeCache(count: ports.count)
        return RunningContender(name: name, processes: processes, logHint: "\(logs)/\(name)\(logSuffix)-*.stderr.log") { events in
            let scrapes = ports.enumerated().map { index, port in lastScrapes.update(index, MetricsScrape.fetch(port: port)) }
            let input = scrapes.reduce(0) { $0 + $1.recordsIn(inputTopic) }
            let repartitioned = scrapes.reduce(0) { $0 + $1.recordsIn(repartitionTopic) }
            let written = scrapes.reduce(0) { $0 + $1.recordsOut(repartitionTopic) }
            return .init(
                processed: Int(input), done: input >= Double(events) && repartitioned >= written && repartitioned > 0,
                detail: String(format: "repartition written %.0f read %.0f", written, repartitioned)
            )
        }
    }

    /// A Python contender: `script` with `arguments` plus `--progress FILE`.
    static func python(
        _ python: String, script: String, arguments: [String], name: String, logs: String, logSuffix: String = ""
    ) throws -> RunningContender {
        let progressFile = "\(logs)/\(name)\(logSuffix).progress"
        try? FileManager.default.removeItem(atPath: progressFile)
        let process = try ChildProcesses.shared.start(
            python, [script] + arguments + ["--progress", progressFile],
            stdout: "\(logs)/\(name)\(logSuffix).stdout.log", stderr: "\(logs)/\(name)\(logSuffix).stderr.log",
            environment: ["PYTHONUNBUFFERED": "1", "PYTHONWARNINGS": "ignore"]
        )
        return RunningContender(name: name, processes: [process], logHint: "\(logs)/\(name)\(logSuffix).stderr.log") { events in
            let text = (try? String(contentsOfFile: progressFile, encoding: .utf8)) ?? ""
            let processed = text.split(separator: "\n").first.flatMap { line in
                line.hasPrefix("processed=") ? Int(line.dropFirst("processed=".count)) : nil
            } ?? 0
            return .init(processed: processed, done: processed >= events)
        }
    }

    /// "1s", "100ms", "2m" as seconds, for the Python contenders' `--commit-interval`.
    static func seconds(ofDuration text: String) throws -> Double {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)) { return number * scale }
        }
        throw BenchError("cannot read the duration '\(text)' (expected e.g. 100ms, 1s)")
    }
}

/// The last successful scrape of each meterd member, so a missed scrape does not count as zero.
final class ScrapeCache {
    private var scrapes: [MetricsScrape]

    init(count: Int) { scrapes = Array(repeating: MetricsScrape(text: ""), count: count) }

    func update(_ index: Int, _ scrape: MetricsScrape?) -> MetricsScrape {
        if let scrape { scrapes[index] = scrape }
        return scrapes[index]
    }
}
