import Foundation
import Logging
import MeterdKafka

/// An embedded broker (`meterd broker`) plus `meterd run` members, for the
/// pipeline e2e tests. `terminateAll()` SIGKILLs every child; tests call it
/// in a `defer`, and `MeterdProcess.deinit` does the same as a last resort.
final class PipelineCluster: @unchecked Sendable {
    let broker: MeterdProcess
    let bootstrap: String
    let configPath: String
    /// The running member of each instance id.
    private(set) var members: [String: MeterdProcess] = [:]
    /// Every member ever started, in order (stopped ones keep their stderr).
    private(set) var history: [(instance: String, process: MeterdProcess)] = []
    /// Partitions the group owns in all: input + repartition, or input only
    /// when the input is keyed by subject.
    let assignedPartitions: Int

    static var quietLogger: Logger {
        var logger = Logger(label: "meterd.e2e")
        logger.logLevel = .critical
        return logger
    }

    /// - Parameter brokerArguments: extra `meterd broker` options (e.g.
    ///   `--brokers 3 --faults-from-stdin`; the latter opens its stdin).
    init(setup: PipelineSetup, brokerArguments: [String] = []) async throws {
        assignedPartitions = setup.keyedBySubject ? 6 : 12
        broker = try MeterdProcess(["broker"] + brokerArguments, standardInput: brokerArguments.contains("--faults-from-stdin"))
        bootstrap = try await broker.waitForLines(1)[0]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meterd-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configPath = directory.appendingPathComponent("meterd.yaml").path
        try setup.yaml(bootstrap: bootstrap).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts `meterd run` as `instance` and waits until it logs its HTTP port.
    @discardableResult
    func start(_ instance: String, arguments: [String] = []) async throws -> MeterdProcess {
        let process = try MeterdProcess(["run", "-c", configPath, "--bootstrap", bootstrap, "--http-port", "0", "--instance-id", instance] + arguments)
        members[instance] = process
        history.append((instance, process))
        let deadline = ContinuousClock.now + .seconds(20)
        while Self.httpPort(of: process) == nil {
            guard ContinuousClock.now < deadline, process.process.isRunning else {
                throw ProcessTestError.timeout("meterd run \(instance) did not start; stderr:\n\(process.stderr.suffix(3_000))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process
    }

    /// Sends `signal` to the running member `instance` and waits for its exit status.
    func stop(_ instance: String, signal: Int32, timeout: Duration = .seconds(15)) async throws -> Int32 {
        guard let process = members.removeValue(forKey: instance) else { return -1 }
        return try await process.stop(signal: signal, timeout: timeout)
    }

    func terminateAll() {
        for (_, process) in history where process.process.isRunning { kill(process.process.processIdentifier, SIGKILL) }
        if broker.process.isRunning { kill(broker.process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: (configPath as NSString).deletingLastPathComponent)
    }

    static func httpPort(of process: MeterdProcess) -> Int? {
        guard let range = process.stderr.range(of: "meterd.http_port=") else { return nil }
        return Int(process.stderr[range.upperBound...].prefix { $0.isNumber })
    }

    /// Current metrics of every running member (members that do not answer are left out).
    func metrics() -> [String: [String: Double]] {
        var all: [String: [String: Double]] = [:]
        for (instance, process) in members {
            if let port = Self.httpPort(of: process), let samples = MetricsScraper.fetch(port: port) { all[instance] = samples }
        }
        return all
    }

    /// True when every running member answers, is ready, and has no lag on any assigned partition.
    func isCaughtUp() -> Bool {
        let all = metrics()
        guard all.count == members.count, !all.isEmpty else { return false }
        var assigned = 0.0
        for samples in all.values {
            guard samples["meterd_ready"] == 1 else { return false }
            assigned += samples["meterd_assigned_partitions"] ?? 0
            for (name, value) in samples where name.hasPrefix("meterd_partition_lag{") && value > 0 { return false }
        }
        return assigned == Double(assignedPartitions)
    }

    /// Reads outputs until they equal the oracle and every member has caught
    /// up, then once more after a pause (nothing may change it); or until
    /// `timeout`. Returns the final comparison.
    func awaitOutputs(_ reader: OutputReader, equal oracle: UsageOracle, timeout: Duration) async throws -> OutputComparison {
        let deadline = ContinuousClock.now + timeout
        var comparison = OutputComparison(reader: reader, oracle: oracle)
        while ContinuousClock.now < deadline {
            reader.poll(for: .milliseconds(500))
            comparison = OutputComparison(reader: reader, oracle: oracle)
            if comparison.isEmpty, isCaughtUp() {
                reader.poll(for: .seconds(2))
                comparison = OutputComparison(reader: reader, oracle: oracle)
                if comparison.isEmpty { return comparison }
            }
            await Task.yield()
        }
        return comparison
    }

    /// Metrics, exit states, warnings and the end of each member's log, for failure messages.
    func diagnostics() -> String {
        var text = ""
        let all = metrics()
        for (index, entry) in history.enumerated() {
            let process = entry.process
            let state = process.process.isRunning ? "running" : "exited \(process.process.terminationStatus)"
            text += "--- \(entry.instance)#\(index) (\(state))\n"
            if members[entry.instance] === process {
                let interesting = (all[entry.instance] ?? [:]).filter { !$0.key.contains("_bucket") && $0.value != 0 }.sorted { $0.key < $1.key }
                text += "metrics: " + interesting.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "\n"
            }
            let lines = process.stderr.split(separator: "\n")
            text += lines.filter { $0.contains(" error ") || $0.contains(" warning ") || $0.contains(" critical ") }.suffix(15).joined(separator: "\n") + "\n"
            text += "...\n" + lines.suffix(12).joined(separator: "\n") + "\n"
        }
        return text
    }

    /// Commit, abort, restore and data-loss counters of the running members, for the test's summary line.
    func counterSummary() -> String {
        let names = ["meterd_transactions_committed_total", "meterd_transactions_aborted_total", "meterd_restored_partitions_total",
                     "meterd_data_loss_total", "meterd_deduplicated_events_total", "meterd_late_events_total"]
        return metrics().sorted { $0.key < $1.key }.map { instance, samples in
            "\(instance): " + names.map { "\($0.dropFirst(7))=\(Int(samples[$0] ?? 0))" }.joined(separator: " ")
        }.joined(separator: "; ")
    }

    /// Lines of `instance`'s stderr (all its processes) that contain `text`.
    func logLines(of instance: String, containing text: String) -> [String] {
        history.filter { $0.instance == instance }.flatMap { $0.process.stderr.split(separator: "\n").map(String.init) }.filter { $0.contains(text) }
    }

    /// The "partitions assigned" log lines of processing thread `member` (from 1) of a `--threads` process.
    func assignmentLines(of instance: String, member: Int) -> [String] {
        logLines(of: instance, containing: "meterd.member=\(member) ").filter { $0.contains("partitions assigned") }
    }

    /// True once processing thread `member` of `instance` logged an
    /// assignment holding a partition of each of `topics`.
    func hasAssignment(of instance: String, member: Int, containing topics: [String]) -> Bool {
        assignmentLines(of: instance, member: member).contains { line in topics.allSatisfy { line.contains("\($0)[") } }
    }

    /// Waits (polling, at most `timeout`) until `condition` holds. The
    /// embedded broker's group coordinator can take several rounds of
    /// `session.timeout.ms` - 1 s to give every member of a new group its
    /// partitions (docs/pipeline.md, "On the embedded broker"), more on a
    /// loaded machine: tests wait for the assignments they check rather
    /// than assume them after a fixed pause.
    func await(_ what: String, timeout: Duration = .seconds(40), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw E2EFailure("waited \(timeout) for \(what)") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Repartition partitions a member logged as assigned ("partitions assigned").
    func assignedPartitions(of process: MeterdProcess) -> [Int32] {
        process.stderr.split(separator: "\n").filter { $0.contains("partitions assigned") }.flatMap { line in
            line.components(separatedBy: "meterd-repartition[").dropFirst().compactMap { Int32($0.prefix { $0.isNumber }) }
        }
    }

    /// Repartition partitions a member logged as restored ("aggregation partition restored").
    func restoredPartitions(of process: MeterdProcess) -> [Int32] {
        process.stderr.split(separator: "\n").filter { $0.contains("aggregation partition restored") }.compactMap { line in
            guard let range = line.range(of: "meterd.partition=") else { return nil }
            return Int32(line[range.upperBound...].prefix { $0.isNumber })
        }
    }
}
