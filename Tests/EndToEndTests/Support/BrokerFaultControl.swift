import Foundation

/// Drives `meterd broker --faults-from-stdin`: writes fault commands to the
/// broker's stdin and waits for its `ok …` answer to each, so a fault is in
/// place when `inject` returns.
struct BrokerFaultControl {
    let broker: MeterdProcess

    /// Injects `commands` (one fault command each) in order.
    /// - Throws: when the broker answers `error: …` or does not answer in time.
    func inject(_ commands: [String], timeout: Duration = .seconds(10)) async throws {
        for command in commands {
            let answered = broker.stdoutLines.count
            try broker.writeLine(command)
            let lines = try await broker.waitForLines(answered + 1, timeout: timeout)
            let answer = lines[answered]
            guard answer.hasPrefix("ok ") else { throw E2EFailure("broker refused fault '\(command)': \(answer)") }
        }
    }
}

/// One step of a fault schedule: at `after` (from the start of production)
/// inject `commands`.
struct FaultStep: Sendable {
    let after: Duration
    let commands: [String]
}

/// Watches one `meterd run` process: it must stay the same running process
/// (same PID, never exited) from the first check to the last.
struct ProcessorWatch {
    let process: MeterdProcess
    let pid: Int32
    private(set) var checks = 0
    private(set) var problems: [String] = []

    init(_ process: MeterdProcess) {
        self.process = process
        pid = process.process.processIdentifier
    }

    mutating func check(_ moment: String) {
        checks += 1
        if !process.process.isRunning {
            problems.append("meterd run (pid \(pid)) exited with \(process.process.terminationStatus) by \(moment)")
        } else if process.process.processIdentifier != pid {
            problems.append("meterd run changed pid by \(moment)")
        }
    }
}

/// Produces `records` in chunks with a pause after each, on a background thread.
func pacedProduction(_ records: [GeneratedRecord], chunk: Int, pause: Duration, _ producer: TrafficProducer) -> Task<Void, Error> {
    let chunks = records.chunked(into: chunk)
    let pauseSeconds = Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18
    return Task {
        try await onThread {
            for slice in chunks {
                try producer.send(slice)
                Thread.sleep(forTimeInterval: pauseSeconds)
            }
        }
    }
}

extension PipelineCluster {
    /// Adds librdkafka properties to the `kafka:` block of the members'
    /// configuration (call before starting members).
    func addKafkaProperties(_ properties: [String: String]) throws {
        let yaml = try String(contentsOfFile: configPath, encoding: .utf8)
        let lines = properties.sorted { $0.key < $1.key }.map { "  \($0.key): \"\($0.value)\"" }.joined(separator: "\n")
        guard let range = yaml.range(of: "kafka:\n") else { throw E2EFailure("no kafka: block in \(configPath)") }
        try yaml.replacingCharacters(in: range, with: "kafka:\n" + lines + "\n").write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Waits until every running member reports ready with all partitions assigned.
    func awaitReady(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let all = metrics()
            if !all.isEmpty, all.values.allSatisfy({ $0["meterd_ready"] == 1 }),
               all.values.reduce(0, { $0 + ($1["meterd_assigned_partitions"] ?? 0) }) == Double(assignedPartitions) {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw E2EFailure("members not ready after \(timeout):\n\(diagnostics())")
    }
}
