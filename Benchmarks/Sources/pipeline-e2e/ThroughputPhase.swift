import Foundation

/// How one contender did on a backlog of `events` records.
struct ThroughputResult {
    var name: String
    var events: Int
    /// Seconds from launch to the first probe showing input processed.
    var startupSeconds: Double
    /// Seconds from launch to the probe showing every record through the pipeline.
    var doneSeconds: Double
    /// User + system CPU seconds of the contender's processes, launch to done.
    var cpuSeconds: Double
    /// The largest VmHWM of its processes.
    var peakRSS: Int
    /// Sum of the VmHWM of its processes.
    var totalPeakRSS: Int

    var processingSeconds: Double { max(0.001, doneSeconds - startupSeconds) }
    var rate: Double { Double(events) / processingSeconds }
}

/// Runs a started contender over the filled input topic until it processed
/// every record, sampling `/proc` every 100 ms; stops it at the end.
enum ThroughputPhase {
    static func measure(
        _ contender: RunningContender, events: Int, launched: Double, timeoutSeconds: Double, stopAfter: Bool = true
    ) throws -> ThroughputResult {
        var firstSeen: Double?
        var peaks = [Int](repeating: 0, count: contender.processes.count)
        var cpu = [Double](repeating: 0, count: contender.processes.count)
        var last = RunningContender.Progress(processed: 0, done: false)
        defer { if stopAfter { contender.stop() } }
        let trace = ProcessInfo.processInfo.environment["BENCH_TRACE"] == "1"
        while true {
            for (index, process) in contender.processes.enumerated() {
                guard process.isRunning else {
                    throw BenchError("\(contender.name) exited with status \(process.terminationStatus) after \(last.processed) records; see \(contender.logHint)")
                }
                peaks[index] = max(peaks[index], ProcStats.peakRSS(pid: process.processIdentifier) ?? 0)
                cpu[index] = ProcStats.cpuSeconds(pid: process.processIdentifier) ?? cpu[index]
            }
            let elapsed = KafkaPhases.now() - launched
            guard elapsed < timeoutSeconds else {
                throw BenchError("\(contender.name) timed out after \(Int(timeoutSeconds)) s with \(last.processed) of \(events) records; see \(contender.logHint)")
            }
            last = contender.probe(events)
            if trace {
                FileHandle.standardError.write(Data(String(format: "  [trace] %@ %.2f s: input %d %@\n", contender.name, elapsed, last.processed, last.detail).utf8))
            }
            if firstSeen == nil, last.processed > 0 { firstSeen = elapsed }
            if last.done { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let done = KafkaPhases.now() - launched
        for (index, process) in contender.processes.enumerated() {
            peaks[index] = max(peaks[index], ProcStats.peakRSS(pid: process.processIdentifier) ?? 0)
            cpu[index] = ProcStats.cpuSeconds(pid: process.processIdentifier) ?? cpu[index]
        }
        return ThroughputResult(
            name: contender.name, events: events, startupSeconds: firstSeen ?? 0, doneSeconds: done,
            cpuSeconds: cpu.reduce(0, +), peakRSS: peaks.max() ?? 0, totalPeakRSS: peaks.reduce(0, +)
        )
    }
}
