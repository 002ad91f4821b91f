import Foundation

/// What `meterd run` did with the input topic, from its `/metrics` and `/proc`.
struct MeterdRunResult {
    var port: Int
    /// Seconds from launching the process to the first scrape that shows input records read.
    var startupSeconds: Double
    /// Seconds from launch to the scrape where stage 1 had read every input record.
    var stage1DoneSeconds: Double
    /// Seconds from launch to the scrape where stage 2 had read every repartitioned record.
    var doneSeconds: Double
    var final: MetricsScrape
    var peakRSS: Int
    var cpuSeconds: Double
    var brokerCpuSeconds: Double
    var exitStatus: Int32?
    /// The greatest spread, over the scrapes while stage 1 read, between the
    /// input partitions' greatest decoded event times, seconds (nil when no
    /// scrape showed every input partition).
    var maxInputSpreadSeconds: Double?
}

/// Runs `meterd run` over the filled input topic until every record went
/// through both stages, scraping `/metrics` every `pollSeconds`.
enum MeterdRunPhase {
    /// `meterd run`'s `--threads N` (and `--split-stages`) for `threads` processing threads.
    static func threadArguments(_ threads: Int, splitStages: Bool) -> [String] {
        guard threads > 1 else { return [] }
        return ["--threads", "\(threads)"] + (splitStages ? ["--split-stages"] : [])
    }

    static func run(
        meterd: String, configPath: String, bootstrap: String, logDirectory: String, logSuffix: String = "",
        inputTopic: String, repartitionTopic: String, events: Int, brokerPid: Int32,
        threads: Int = 1, splitStages: Bool = false, pollSeconds: Double = 0.1, timeoutSeconds: Double
    ) throws -> MeterdRunResult {
        let stderrPath = logDirectory + "/meterd-run\(logSuffix).stderr.log"
        let brokerCpuBefore = ProcStats.cpuSeconds(pid: brokerPid) ?? 0
        let launched = KafkaPhases.now()
        let process = try ChildProcesses.shared.start(
            meterd, ["run", "-c", configPath, "--bootstrap", bootstrap, "--http-port", "0", "--instance-id", "bench-1"] + threadArguments(threads, splitStages: splitStages),
            stdout: logDirectory + "/meterd-run\(logSuffix).stdout.log", stderr: stderrPath
        )
        let pid = process.processIdentifier
        let port = try waitForHTTPPort(stderrPath: stderrPath, process: process)
        var firstIn: Double?
        var stage1Done: Double?
        var peakRSS = 0
        var last = MetricsScrape(text: "")
        var cpu = 0.0
        var progress = ProgressTrace(path: logDirectory + "/meterd-run\(logSuffix).progress.tsv")
        while true {
            guard process.isRunning else {
                throw BenchError("meterd run exited with status \(process.terminationStatus); see \(stderrPath)")
            }
            let elapsed = KafkaPhases.now() - launched
            guard elapsed < timeoutSeconds else {
                throw BenchError("timed out after \(Int(timeoutSeconds)) s: input \(Int(last.recordsIn(inputTopic))), repartition \(Int(last.recordsIn(repartitionTopic))) of \(events)")
            }
            peakRSS = max(peakRSS, ProcStats.peakRSS(pid: pid) ?? 0)
            cpu = ProcStats.cpuSeconds(pid: pid) ?? cpu
            if let scrape = MetricsScrape.fetch(port: port) {
                last = scrape
                progress.note(scrape, elapsed: elapsed, inputTopic: inputTopic, repartitionTopic: repartitionTopic, readingInput: stage1Done == nil)
                let input = scrape.recordsIn(inputTopic)
                let repartitioned = scrape.recordsIn(repartitionTopic)
                if firstIn == nil, input > 0 { firstIn = elapsed }
                if stage1Done == nil, input >= Double(events) { stage1Done = elapsed }
                // Every input record read, and every record stage 1 wrote read back by stage 2.
                if input >= Double(events), repartitioned >= scrape.recordsOut(repartitionTopic), repartitioned > 0 {
                    break
                }
            }
            Thread.sleep(forTimeInterval: pollSeconds)
        }
        let done = KafkaPhases.now() - launched
        let brokerCpu = (ProcStats.cpuSeconds(pid: brokerPid) ?? brokerCpuBefore) - brokerCpuBefore
        // A last scrape after the final commit, then a clean stop.
        Thread.sleep(forTimeInterval: 1.0)
        if let scrape = MetricsScrape.fetch(port: port) { last = scrape }
        peakRSS = max(peakRSS, ProcStats.peakRSS(pid: pid) ?? 0)
        cpu = ProcStats.cpuSeconds(pid: pid) ?? cpu
        let status = ChildProcesses.shared.stop(process, graceSeconds: 30)
        return MeterdRunResult(
            port: port, startupSeconds: firstIn ?? 0, stage1DoneSeconds: stage1Done ?? done, doneSeconds: done,
            final: last, peakRSS: peakRSS, cpuSeconds: cpu, brokerCpuSeconds: brokerCpu, exitStatus: status,
            maxInputSpreadSeconds: progress.maxInputSpreadSeconds
        )
    }

    /// Reads `meterd.http_port=N` from the process's log.
    static func waitForHTTPPort(stderrPath: String, process: Process) throws -> Int {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let log = try? String(contentsOfFile: stderrPath, encoding: .utf8),
               let range = log.range(of: "meterd.http_port=") {
                let digits = log[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits), port > 0 { return port }
            }
            guard process.isRunning else { throw BenchError("meterd run exited with status \(process.terminationStatus); see \(stderrPath)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw BenchError("meterd run did not log meterd.http_port within 60 s; see \(stderrPath)")
    }
}

/// Event-time progress of one `meterd run`, scrape by scrape: a TSV in the
/// run's log directory (seconds since launch, input records read,
/// repartition records written and read, late events, then every input
/// partition's greatest decoded event time and every aggregation
/// partition's stream time, relative to the first event time seen) and the
/// greatest spread between the input partitions.
struct ProgressTrace {
    private let path: String
    private var lines: [String] = []
    private var origin: Double?
    private(set) var maxInputSpreadSeconds: Double?

    init(path: String) { self.path = path }

    mutating func note(_ scrape: MetricsScrape, elapsed: Double, inputTopic: String, repartitionTopic: String, readingInput: Bool) {
        let inputs = scrape.family("meterd_input_event_time_seconds").filter { $0.key.contains("\"\(inputTopic)[") }
        let streams = scrape.family("meterd_stream_time_seconds")
        guard !inputs.isEmpty else { return }
        let origin = self.origin ?? inputs.map(\.value).min()!
        self.origin = origin
        if readingInput, inputs.count == expectedInputs(scrape, inputTopic) {
            let spread = inputs.map(\.value).max()! - inputs.map(\.value).min()!
            maxInputSpreadSeconds = max(maxInputSpreadSeconds ?? 0, spread)
        }
        // The header names the latest scrape's partitions (stream times appear after the first commit).
        let header = (["seconds", "input_records", "repartition_out", "repartition_in", "late_events"] + inputs.map { "input" + $0.key } + streams.map { "stream" + $0.key })
            .joined(separator: "\t")
        if lines.isEmpty { lines.append(header) } else { lines[0] = header }
        let times = (inputs + streams).map { String(format: "%.1f", $0.value - origin) }
        let counts = [scrape.recordsIn(inputTopic), scrape.recordsOut(repartitionTopic), scrape.recordsIn(repartitionTopic), scrape["meterd_late_events_total"]]
        lines.append(([String(format: "%.2f", elapsed)] + counts.map { "\(Int($0))" } + times)
            .joined(separator: "\t"))
        try? (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Input partitions assigned, from `meterd_partition_lag` (every assigned partition has a sample).
    private func expectedInputs(_ scrape: MetricsScrape, _ inputTopic: String) -> Int {
        scrape.family("meterd_partition_lag").filter { $0.key.contains("\"\(inputTopic)[") }.count
    }
}
