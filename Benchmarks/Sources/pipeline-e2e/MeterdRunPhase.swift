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
            final: last, peakRSS: peakRSS, cpuSeconds: cpu, brokerCpuSeconds: brokerCpu, exitStatus: status
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
