import Foundation
import MeterdCore

/// The machine the figures were measured on.
struct MachineInfo {
    var cores: Int
    var cpuModel: String
    var loadAverage: String
    var date: String

    static func current() -> MachineInfo {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "")
            .split(separator: " ").prefix(3).joined(separator: " ")
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return MachineInfo(cores: ProcessInfo.processInfo.activeProcessorCount, cpuModel: model, loadAverage: load, date: formatter.string(from: Date()))
    }

    var summary: String { "nproc \(cores), \(cpuModel), load average \(loadAverage), \(date)" }
}

/// The figures of one run, as a markdown table and as the BENCHMARKS.md section.
struct Report {
    let options: Options
    let machine: MachineInfo
    let averageRecordBytes: Int
    let produced: ProduceResult
    /// Raw consume passes of the input topic: one before each `meterd run`, one after the last.
    let rawPasses: [RawConsumeResult]
    /// The median `meterd run`, reported in full.
    let run: MeterdRunResult
    /// Every `meterd run`, in order, and which one (1-based) is the median.
    let allRuns: [MeterdRunResult]
    let medianRun: Int
    let hop: RawConsumeResult
    let inputTopic: String
    let repartitionTopic: String
    let changelogTopic: String
    /// Changelog partitions the embedded broker truncated (a restore would miss state there).
    let changelogTruncated: [Int32]
    let outputs: OutputTopics

    static let heading = "## End-to-end pipeline (meterd run, exactly-once)"
    static let target = 0.40

    var events: Double { Double(options.events) }
    var rawRates: [Double] { rawPasses.map { Double($0.records) / $0.seconds } }
    /// The median pass, the baseline of the ratio: of an even count (one
    /// pass more than there are meterd runs) the mean of the two middle
    /// ones, as a median is defined (until session 20 the upper one).
    var rawRate: Double {
        let sorted = rawRates.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
    /// Processing time: from the first scrape showing input read to the scrape showing stage 2 done.
    var processingSeconds: Double { run.doneSeconds - run.startupSeconds }
    var endToEndRate: Double { events / processingSeconds }
    private func endToEndRate(of run: MeterdRunResult) -> Double { events / (run.doneSeconds - run.startupSeconds) }
    var stage1Rate: Double { events / max(0.001, run.stage1DoneSeconds - run.startupSeconds) }
    var ratio: Double { endToEndRate / rawRate }
    var dataLoss: Int { Int(run.final["meterd_data_loss_total"]) }

    private func rate(_ value: Double) -> String { Self.grouped(Int(value.rounded())) }

    static func grouped(_ value: Int) -> String {
        let digits = Array(String(abs(value)))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    private func mib(_ bytes: Int) -> String { String(format: "%.0f MiB", Double(bytes) / 1_048_576) }

    var markdownTable: String {
        let m = run.final
        let hopBytes = hop.records > 0 ? hop.valueBytes / hop.records : 0
        let rows: [(String, String)] = [
            ("events (Kong, ~\(averageRecordBytes) B, 1% duplicates, 1% up to 90 s late)", Self.grouped(options.events)),
            ("producer (lz4, \(options.inputPartitions) partitions), events/s", rate(events / produced.seconds)),
            ("**raw librdkafka consume of \(inputTopic)** (read_committed, consumeBatch), events/s, median of \(rawRates.count) passes", "**\(rate(rawRate))**"),
            ("raw passes: one before each meterd run, one after the last, events/s", rawRates.map(rate).joined(separator: " / ")),
            ("**meterd run end to end** (stage 1 + repartition + stage 2, exactly-once), events/s, median of \(allRuns.count) runs", "**\(rate(endToEndRate))**"),
            ("meterd runs in order, events/s (CPU s); the median, run \(medianRun), is reported below",
             allRuns.map { "\(rate(endToEndRate(of: $0))) (\(String(format: "%.1f", $0.cpuSeconds)))" }.joined(separator: " / ")),
            ("**ratio end to end / raw** (target ≥ 40%)", String(format: "**%.1f%%**", ratio * 100)),
            ("stage 1 alone done after (decode + produce to \(repartitionTopic)), s", String(format: "%.1f", run.stage1DoneSeconds - run.startupSeconds)),
            (options.meterdSplitStages && options.meterdThreads > 1
                ? "stage 1 rate (its own threads, `--split-stages`), events/s"
                : "stage 1 rate while sharing the thread with stage 2, events/s", rate(stage1Rate)),
            ("all records through stage 2 after, s", String(format: "%.1f", processingSeconds)),
            ("start-up (launch to first input record seen), s", String(format: "%.1f", run.startupSeconds)),
            ("raw consume of \(repartitionTopic) (\(options.internalPartitions) partitions, \(hopBytes) B/record; each packs the usage records of one partition and poll), Kafka records/s", rate(Double(hop.records) / max(0.001, hop.seconds))),
            ("mean commit duration (`meterd_commit_duration_seconds`), s", String(format: "%.3f", m["meterd_commit_duration_seconds_sum"] / max(1, m["meterd_commit_duration_seconds_count"]))),
            ("aggregation state at the end (sum of `meterd_state_bytes`)", mib(Int(m.total("meterd_state_bytes")))),
            ("\(changelogTopic) partitions truncated by the broker's per-partition limit", changelogTruncated.isEmpty ? "0" : "**\(changelogTruncated.count) of \(options.internalPartitions)** (a restore would miss state)"),
            ("transactions committed / aborted", "\(Int(m["meterd_transactions_committed_total"])) / \(Int(m["meterd_transactions_aborted_total"]))"),
            ("records out: repartition / changelog / rollups / quota / dlq", [repartitionTopic, changelogTopic, outputs.rollups, outputs.quota, outputs.dlq].map { Self.grouped(Int(m.recordsOut($0))) }.joined(separator: " / ")),
            ("greatest spread of the input partitions' event times while stage 1 read (`meterd_input_event_time_seconds`), s",
             run.maxInputSpreadSeconds.map { String(format: "%.1f", $0) } ?? "—"),
            ("duplicates dropped / late events accepted", "\(Self.grouped(Int(m["meterd_deduplicated_events_total"]))) / \(Self.grouped(Int(m["meterd_late_events_total"])))"),
            ("dead letters", Self.grouped(Int(m.total("meterd_dead_letters_total")))),
            ("meterd_data_loss_total", dataLoss == 0 ? "0" : "**\(dataLoss) — DATA LOSS**"),
            ("peak RSS of meterd (VmHWM)", mib(run.peakRSS)),
            ("CPU seconds: meterd / broker (mock) during the run", String(format: "%.1f / %.1f", run.cpuSeconds, run.brokerCpuSeconds)),
        ]
        var out = "| | |\n|---|---|\n"
        for (name, value) in rows { out += "| \(name) | \(value) |\n" }
        return out
    }

    var verdict: String {
        let met = ratio >= Self.target
        var text = String(format: "Target (≥ 40%% of the raw rate): %@ — %.1f%% of %@ events/s.", met ? "met" : "NOT met", ratio * 100, rate(rawRate))
        if dataLoss > 0 { text += " DATA LOSS: meterd_data_loss_total = \(dataLoss); the figures are not valid." }
        return text
    }

    /// Which broker build holds the data, and why nothing is lost to its limit (SPEC section 6).
    private var brokerLimitNote: String {
        guard let library = options.brokerLibrary else {
            return "\(options.inputPartitions) input partitions keep every partition under the mock's ~5 MiB limit"
        }
        return "The broker runs the bench-only librdkafka from `\(library)` (bench/build-broker.sh: Debian's 2.0.2 source with the mock's per-partition limits raised from 5 MiB / 100,000 batches to 8 GiB / 100 M); meterd and the consumers use the system librdkafka"
    }

    /// The generated section: method, machine, command and figures.
    var section: String {
        let command = "cd Benchmarks && swift run -c release pipeline-e2e " + CommandLine.arguments.dropFirst().joined(separator: " ")
        return """
        \(Self.heading)

        Generated by `pipeline-e2e` (`make bench-pipeline`); rerunning it replaces this section.

        - Date: \(machine.date). Machine: `nproc` = \(machine.cores), `\(machine.cpuModel)`, load average at start \(machine.loadAverage).
          Broker, meterd and the driver share these cores.
        - Command: `\(command.trimmingCharacters(in: .whitespaces))` (release `meterd` at `\(options.meterd)`).
        - Broker: `meterd broker --app-id bench` (librdkafka mock cluster) with \(inputTopic):\(options.inputPartitions),
          and, for each meterd run, its own `-repartition` and `-changelog` topics (\(options.internalPartitions) partitions) and output topics.
          \(brokerLimitNote) (\(mib(produced.maxPartitionValueBytes)) uncompressed per partition, lz4); the run checks that every
          partition still starts at offset 0 and that the raw consumer reads all \(Self.grouped(options.events)) records.
        - Input: `PipelineStream` (seed 7): \(Self.grouped(options.events)) Kong records, 1,000 events per second of
          event time, 600 gateway consumers of 300 customers. Configuration: `PipelineConfiguration`'s meters,
          features and quotas, windows 1m / grace 10s / lateness 1h / idle 5s, commitInterval \(options.commitInterval), passthrough.
        - Raw rate: a manually assigned `read_committed` `KafkaConsumer` reading all input partitions from the
          beginning with `consumeBatch`, touching each value's length: once before each `meterd run` and once
          after the last; their median (of an even count, the mean of the two middle passes) is the baseline
          (a single 1-2 s pass moved by ±30% with the VM's phase).
        - End to end: \(allRuns.count) runs of `meterd run`, each with its own group, internal and output topics,
          from offset 0; the median run is reported (one run moved between 88k and 213k events/s in consecutive
          minutes, e.g. when the group's first rebalance completed before the stage 2 member had joined).
          Each run: `N / (t(stage 2 read every repartitioned record) − t(first input record seen))`, from
          `/metrics` scraped every 100 ms (meterd publishes counters every 100 ms, so ±0.2 s). Stage 1 done:
          `meterd_records_in_total{topic="\(inputTopic)"}` = N. Peak RSS: `VmHWM` of the meterd process.

        \(markdownTable)
        \(verdict)

        """
    }

    /// Replaces the section in BENCHMARKS.md (up to the next `## ` heading) or appends it.
    func updateBenchmarksFile(path: String) throws {
        var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "# Benchmarks\n"
        if let start = text.range(of: Self.heading) {
            let rest = text[start.upperBound...]
            let end = rest.range(of: "\n## ")?.lowerBound ?? text.endIndex
            let isLast = end == text.endIndex
            text.replaceSubrange(start.lowerBound..<(isLast ? end : text.index(after: end)), with: isLast ? section : section + "\n")
        } else {
            if !text.hasSuffix("\n") { text += "\n" }
            text += "\n" + section
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
