import Foundation

/// The figures of one `make bench` run, as markdown and as the top section of BENCHMARKS.md.
struct CompareReport {
    let options: Options
    let machine: MachineInfo
    let averageRecordBytes: Int
    let produced: ProduceResult
    let raw: RawConsumeResult
    /// CPU seconds of the driver process while its raw consumer read the topic.
    let rawCpuSeconds: Double
    /// The median run of each contender (Quix: its only run).
    let throughput: [ThroughputResult]
    /// Every run of the contenders that ran more than once, in order.
    let runs: [String: [ThroughputResult]]
    /// Records each processor wrote in the throughput phase: (name, rollups, quota events), read back `read_committed`.
    let outputs: [(String, Int, Int)]
    let latencies: [LatencyResult]
    let scaling: [ScalingPoint]
    let restore: RestoreResult?
    let brokerLibrary: String?

    static let heading = "## meterd and its peers (`make bench`)"
    var labels: [String: String] {
        ["meterd": options.meterdThreads > 1 ? "meterd run (1 process, `\(MeterdRunPhase.threadArguments(options.meterdThreads, splitStages: options.meterdSplitStages).joined(separator: " "))`)" : "meterd run (1 process)",
         "handloop": "hand-written loop (confluent-kafka + orjson, 1 process)",
         "quix": "Quix Streams (1 process)"]
    }

    var rawRate: Double { Double(raw.records) / raw.seconds }
    func result(_ name: String) -> ThroughputResult? { throughput.first { $0.name == name } }
    func latency(_ name: String) -> LatencyResult? { latencies.first { $0.name == "latency-\(name)" } }

    var table: String {
        var out = "| | events/s | CPU s | CPU µs/event | peak RSS | quota latency p50 / p99 |\n|---|---|---|---|---|---|\n"
        for result in throughput {
            let latencyText = latency(result.name).map { String(format: "%@ / %@ s (%d of %d crossings)", Self.seconds($0.p50), Self.seconds($0.p99), $0.matched, $0.crossings) } ?? "—"
            out += "| \(labels[result.name] ?? result.name) | **\(Self.grouped(result.rate))** | "
            out += String(format: "%.1f | %.0f | ", result.cpuSeconds, result.cpuSeconds / Double(result.events) * 1e6)
            out += "\(Self.mib(result.peakRSS)) | \(latencyText) |\n"
        }
        out += String(format: "| raw librdkafka consume (read_committed, the ceiling) | **%@** | %.1f | %.1f | — | — |\n",
                      Self.grouped(rawRate), rawCpuSeconds, rawCpuSeconds / Double(max(1, raw.records)) * 1e6)
        return out
    }

    var goals: String {
        guard let meterd = result("meterd") else { return "" }
        var lines: [String] = []
        if let quix = result("quix") {
            let ratio = meterd.rate / quix.rate
            lines.append(String(format: "- meterd / Quix Streams throughput: **%.1f×** (goal ≥ 20×: %@)", ratio, ratio >= 20 ? "met" : "NOT met"))
        }
        if let hand = result("handloop") {
            let ratio = meterd.rate / hand.rate
            lines.append(String(format: "- meterd / hand-written loop throughput: **%.1f×** (goal ≥ 4×: %@)", ratio, ratio >= 4 ? "met" : "NOT met"))
        }
        let others = throughput.filter { $0.name != "meterd" }
        if !others.isEmpty {
            let lower = others.allSatisfy { meterd.peakRSS < $0.peakRSS }
            lines.append("- meterd peak RSS \(Self.mib(meterd.peakRSS)) vs " + others.map { "\($0.name) \(Self.mib($0.peakRSS))" }.joined(separator: ", ")
                         + " (goal: lower than either: \(lower ? "met" : "NOT met"))")
        }
        lines.append(String(format: "- meterd / raw consume: %.1f%%", meterd.rate / rawRate * 100))
        for name in ["meterd", "handloop"] {
            guard let all = runs[name], all.count > 1 else { continue }
            lines.append("- \(name), \(all.count) runs (the table shows the median): "
                         + all.map { String(format: "%@ events/s (CPU %.1f s, %@)", Self.grouped($0.rate), $0.cpuSeconds, Self.mib($0.peakRSS)) }.joined(separator: ", "))
        }
        if !outputs.isEmpty {
            lines.append("- Written in the throughput phase (rollups / quota events, read back `read_committed`; meterd's include late revisions): "
                         + outputs.map { "\($0.0) \(Self.grouped($0.1)) / \(Self.grouped($0.2))" }.joined(separator: ", "))
        }
        if !latencies.isEmpty {
            lines.append("- Latency phase, input records processed 0.6 s after the last send (below the total: the contender fell behind): "
                         + latencies.map { "\($0.name.replacingOccurrences(of: "latency-", with: "")) \(Self.grouped($0.processedAtEnd)) of \(Self.grouped($0.produced))" }
                            .joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    var scalingTable: String {
        let partitionCounts = Array(Set(scaling.map(\.partitions))).sorted()
        let processCounts = Array(Set(scaling.map(\.processes))).sorted()
        var out = "| input partitions | " + processCounts.map { "\($0) process\($0 == 1 ? "" : "es"), events/s" }.joined(separator: " | ") + " |\n"
        out += "|---|" + processCounts.map { _ in "---|" }.joined() + "\n"
        for partitions in partitionCounts {
            out += "| \(partitions) | " + processCounts.map { processes in
                guard let point = scaling.first(where: { $0.partitions == partitions && $0.processes == processes }) else { return "—" }
                return String(format: "%@ (CPU %.1f s in all, peak RSS %@ per process)", Self.grouped(point.result.rate), point.result.cpuSeconds,
                              Self.mib(point.result.totalPeakRSS / max(1, processes)))
            }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    var restoreText: String {
        guard let restore else { return "- State restore: not measured." }
        return String(format: "- State restore after `kill -9` of the single member (6 partitions, %@ events processed): the replacement "
                      + "(same instance id) read **%@ changelog records in %.2f s = %@ records/s** over %d changelog partitions; "
                      + "launch to `meterd_ready` %.1f s.",
                      Self.grouped(options.scaleEvents), Self.grouped(restore.changelogRecords), restore.readSeconds,
                      Self.grouped(restore.rate), restore.changelogPartitions, restore.launchToReadySeconds)
    }

    var markdown: String {
        """
        \(table)
        \(goals)

        Scaling (meterd, \(Self.grouped(options.scaleEvents)) events, internal topics with as many partitions as the input):

        \(scalingTable)
        \(restoreText)
        """
    }

    var section: String {
        let broker = brokerLibrary == nil
            ? "`meterd broker` on Debian's librdkafka (mock limits 5 MiB / 100,000 batches per partition)"
            : "`meterd broker` run on a bench-only build of Debian's librdkafka 2.0.2 source whose mock partitions keep 8 GiB / 100 M batches "
              + "(bench/build-broker.sh; only the two limits in rdkafka_mock.c are changed); the clients use the system librdkafka"
        return """
        \(Self.heading)

        Generated by `make bench` (bench/run.sh → `pipeline-e2e --suite compare`); rerunning it replaces this section.

        - Date: \(machine.date). Machine: `nproc` = \(machine.cores), `\(machine.cpuModel)`, load average at start \(machine.loadAverage).
          Broker, contenders and driver share these cores.
        - Command: `make bench`, which runs `\(commandLine)`.
        - Broker: \(broker). Every contender reads the same pre-generated topic; the run checks that no partition lost data.
        - Input: \(Self.grouped(options.events)) Kong records of ~\(averageRecordBytes) B (`PipelineStream` seed 7: 40% with an AI block, 1% duplicates,
          1% up to 90 s late), lz4, \(CompareSuite.inputPartitions) partitions, 600 gateway consumers of 300 customers; produced at
          \(Self.grouped(Double(produced.records) / produced.seconds)) events/s.
        - Work: the same meterd YAML for all: 6 features over 4 meters (COUNT and SUM, filters, breakdowns), 1-minute tumbling event-time
          windows with 10 s grace, hourly and daily quotas with thresholds, exactly-once with commits every \(options.commitInterval).
          meterd also dedupes, repartitions by customer and keeps late revisions; the Python contenders (bench/metering.py) do
          not dedupe and drop late events. Quix: `processing_guarantee="exactly-once"`, `group_by` customer, tumbling window
          `reduce().final()` and a stateful quota branch, RocksDB state with changelog topics. Hand loop: one process, transactional
          producer, `send_offsets_to_transaction`, state in a compacted topic.
        - events/s = N / (time every record went through the pipeline − time the first record was seen), probed every 100 ms
          (meterd: `/metrics` until stage 2 read every repartitioned record, published every 100 ms; Python: a progress file
          counting records through their last stage, for Quix after its repartition); start-up is not counted. CPU seconds
          (user + system) and peak RSS (VmHWM) from `/proc/<pid>` of the contender, launch to done (start-up included).
          Raw consume: a manually assigned `read_committed` librdkafka consumer in the driver; CPU of the driver process.
        - Repetitions: meterd's run lasts seconds, so a moment of noise on this shared VM moves its rate a lot. meterd runs
          \(options.repetitions) time\(options.repetitions == 1 ? "" : "s") (each run with its own group and topics, from offset 0; the hand loop runs between
          the first and the second) and the table shows its median run, every run listed below it. The hand loop (~30 s)
          and Quix (minutes) run once.
        - Quota latency: a separate phase per contender with live traffic at \(Self.grouped(options.latencyRate)) events/s for \(options.latencySeconds) s
          (`started_at` = send time), commits every \(options.latencyCommitInterval), `successful_requests` limit \(Int(CompareSuite.latencyLimit))/hour
          (so that thresholds are crossed within seconds). Latency = quota event readable by a `read_committed` consumer −
          send time of the record that crossed the threshold (an oracle counting per customer and hour in send order).

        \(markdown)

        """
    }

    var commandLine: String {
        let arguments = CommandLine.arguments.dropFirst().map { $0.hasPrefix("/") ? URL(fileURLWithPath: $0).lastPathComponent : $0 }
        return "Benchmarks/.build/release/pipeline-e2e " + arguments.joined(separator: " ")
    }

    /// Puts the section right under the file's title, replacing an earlier one.
    func updateBenchmarksFile(path: String) throws {
        var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "# Benchmarks\n"
        if let start = text.range(of: Self.heading) {
            let rest = text[start.upperBound...]
            let end = rest.range(of: "\n## ")?.lowerBound ?? text.endIndex
            text.replaceSubrange(start.lowerBound..<(end == text.endIndex ? end : text.index(after: end)), with: section)
        } else if let title = text.range(of: "# Benchmarks\n") {
            text.insert(contentsOf: "\n" + section, at: title.upperBound)
        } else {
            text = "# Benchmarks\n\n" + section + "\n" + text
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func grouped(_ value: Double) -> String { Report.grouped(Int(value.rounded())) }
    static func grouped(_ value: Int) -> String { Report.grouped(value) }
    static func mib(_ bytes: Int) -> String { String(format: "%.0f MiB", Double(bytes) / 1_048_576) }
    static func seconds(_ value: Double) -> String { value.isNaN ? "—" : String(format: "%.3f", value) }
}
