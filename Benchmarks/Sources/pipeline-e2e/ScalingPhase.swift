import Foundation

/// meterd throughput with `processes` members on an input of `partitions` partitions.
struct ScalingPoint {
    var partitions: Int
    var processes: Int
    var result: ThroughputResult
}

/// State restore of the member that replaced a SIGKILLed one.
struct RestoreResult {
    var changelogRecords: Int
    var changelogPartitions: Int
    /// Sum of the per-partition read times meterd logs (partitions are read one after another).
    var readSeconds: Double
    /// From launching the replacement to `meterd_ready` = 1.
    var launchToReadySeconds: Double
    var rate: Double { Double(changelogRecords) / max(0.000_001, readSeconds) }
}

/// The scaling curve (1, 2, 4 members × 6, 12 partitions) and, after the
/// single-member run on 6 partitions, a kill -9 and the replacement's restore.
enum ScalingPhase {
    /// What every scaling run shares.
    struct Run {
        var meterd: String
        var bootstrap: String
        var logs: String
        var events: Int
        var timeoutSeconds: Double
        /// Writes the configuration of an app id and input topic; returns its path.
        var writeConfig: (_ appId: String, _ inputTopic: String) throws -> String
    }

    static func appId(partitions: Int, processes: Int) -> String { "s\(partitions)x\(processes)" }
    static func inputTopic(partitions: Int) -> String { "scale\(partitions).usage" }

    static func run(_ run: Run, partitionCounts: [Int], processCounts: [Int]) throws -> ([ScalingPoint], RestoreResult?) {
        var points: [ScalingPoint] = []
        var restore: RestoreResult?
        for partitions in partitionCounts {
            for processes in processCounts {
                let app = appId(partitions: partitions, processes: processes)
                let input = inputTopic(partitions: partitions)
                let config = try run.writeConfig(app, input)
                let restoreAfter = restore == nil && processes == 1
                say("scaling: \(processes) × meterd run on \(input) (\(partitions) partitions), app \(app) …")
                let launched = KafkaPhases.now()
                let contender = try Contenders.meterd(
                    run.meterd, configPath: config, bootstrap: run.bootstrap, count: processes, name: app, logs: run.logs,
                    inputTopic: input, repartitionTopic: "\(app)-repartition"
                )
                let result = try ThroughputPhase.measure(
                    contender, events: run.events, launched: launched, timeoutSeconds: run.timeoutSeconds, stopAfter: !restoreAfter
                )
                say(String(format: "  %.0f events/s", result.rate))
                points.append(ScalingPoint(partitions: partitions, processes: processes, result: result))
                if restoreAfter, let victim = contender.processes.first {
                    // Let one more commit land, as in a running system, then crash.
                    Thread.sleep(forTimeInterval: 1.5)
                    ChildProcesses.shared.crash(victim)
                    restore = try replace(run, app: app, config: config, member: "\(app)-1", partitions: partitions)
                    say(String(format: "  restore after kill -9: %d changelog records in %.2f s (%.0f records/s)",
                               restore?.changelogRecords ?? 0, restore?.readSeconds ?? 0, restore?.rate ?? 0))
                }
            }
        }
        return (points, restore)
    }

    /// Starts a member with the crashed one's instance id and waits until it is ready.
    private static func replace(_ run: Run, app: String, config: String, member: String, partitions: Int) throws -> RestoreResult {
        let stderr = "\(run.logs)/\(app)-replacement.stderr.log"
        let launched = KafkaPhases.now()
        let process = try ChildProcesses.shared.start(
            run.meterd, ["run", "-c", config, "--bootstrap", run.bootstrap, "--http-port", "0", "--instance-id", member],
            stdout: "\(run.logs)/\(app)-replacement.stdout.log", stderr: stderr
        )
        defer { ChildProcesses.shared.stop(process) }
        let port = try MeterdRunPhase.waitForHTTPPort(stderrPath: stderr, process: process)
        let deadline = launched + 180
        while true {
            guard process.isRunning else { throw BenchError("the replacement meterd exited with status \(process.terminationStatus); see \(stderr)") }
            guard KafkaPhases.now() < deadline else { throw BenchError("the replacement meterd was not ready within 180 s; see \(stderr)") }
            if let scrape = MetricsScrape.fetch(port: port), scrape["meterd_ready"] == 1, scrape["meterd_restored_partitions_total"] > 0 { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let ready = KafkaPhases.now() - launched
        let log = (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? ""
        var records = 0
        var seconds = 0.0
        var reads = 0
        for line in log.split(separator: "\n") where line.contains("changelog partition read") {
            records += field("meterd.records", in: line).flatMap { Int($0) } ?? 0
            seconds += field("meterd.seconds", in: line).flatMap { Double($0) } ?? 0
            reads += 1
        }
        return RestoreResult(changelogRecords: records, changelogPartitions: reads, readSeconds: seconds, launchToReadySeconds: ready)
    }

    private static func field(_ name: String, in line: Substring) -> Substring? {
        guard let range = line.range(of: name + "=") else { return nil }
        return line[range.upperBound...].prefix { !$0.isWhitespace }
    }
}
