import Foundation
import KongTraffic

// End-to-end throughput of `meterd run` with exactly-once on, next to the raw
// librdkafka consume rate of the same input topic, in one run on the
// embedded broker:
//   1. `meterd broker` with the input topic and bench's internal topics (`make bench-pipeline`:
//      6 partitions each, on the bench-only broker build with larger partition limits);
//   2. N generated Kong records (~1.3 KB) produced with lz4;
//   3. a plain consumer reads them all back (the raw rate), alternated with
//   4. `meterd run` processing them through both stages (`--repetitions`, 3: each run with its own
//      group and topics; /metrics and /proc are sampled); each side's median is reported;
//   5. a plain consumer reads the median run's repartition topic (the hop's records).
// Prints a markdown table and rewrites the "End-to-end pipeline" section of BENCHMARKS.md.
//   swift run -c release pipeline-e2e [--meterd PATH] [--events N] [--no-write]
// `--suite compare` (make bench) runs CompareSuite instead: meterd next to its peers.

let inputTopic = "bench.usage"

func say(_ text: String) {
    print(text)
    fflush(nil)
}

func waitForBootstrap(stdoutPath: String, process: Process) throws -> String {
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline {
        if let text = try? String(contentsOfFile: stdoutPath, encoding: .utf8), let line = text.split(separator: "\n").first, text.contains("\n") {
            return String(line)
        }
        guard process.isRunning else { throw BenchError("meterd broker exited with status \(process.terminationStatus)") }
        Thread.sleep(forTimeInterval: 0.05)
    }
    throw BenchError("meterd broker printed no bootstrap within 30 s")
}

/// One raw consume of the whole input topic, checked to hold every record.
func rawConsumePass(options: Options, bootstrap: String) throws -> RawConsumeResult {
    let raw = try KafkaPhases.rawConsume(topic: inputTopic, partitions: options.inputPartitions, expected: options.events, bootstrap: bootstrap)
    say(String(format: "raw consume: %d records in %.2f s (%.0f events/s)", raw.records, raw.seconds, Double(raw.records) / raw.seconds))
    guard raw.truncatedPartitions.isEmpty, raw.records == options.events else {
        throw BenchError("""
        DATA LOST IN THE INPUT TOPIC: read \(raw.records) of \(options.events); partitions with a low watermark above 0: \(raw.truncatedPartitions).
        The embedded broker deleted data beyond its per-partition limit: use more --input-partitions or fewer --events.
        """)
    }
    return raw
}

func runBenchmark(_ options: Options) throws {
    let meterd = URL(fileURLWithPath: options.meterd).standardizedFileURL.path
    guard FileManager.default.isExecutableFile(atPath: meterd) else {
        throw BenchError("no meterd executable at \(meterd): build it with `swift build -c release --product meterd` at the repository root")
    }
    let logs = options.logDirectory
    let machine = MachineInfo.current()
    say("machine: \(machine.summary)")

    // 1. Broker. An empty topics dir: the topics/ catalog's 6-partition
    // internal topics would collide with the ones below. `--broker-lib`:
    // bench/build-broker.sh's build with larger per-partition limits.
    // Every meterd run has its own group, internal and output topics (`ThroughputRepetition`).
    let repetitions = ThroughputRepetition.all(options.repetitions)
    var topicList = ["\(inputTopic):\(options.inputPartitions)"]
    for repetition in repetitions {
        let outputs = repetition.meterdOutputs
        topicList += [
            "\(repetition.meterdAppId)-repartition:\(options.internalPartitions)", "\(repetition.meterdAppId)-changelog:\(options.internalPartitions)",
            "\(outputs.rollups):32", "\(outputs.quota):8", "\(outputs.dlq):4",
        ]
    }
    let (broker, bootstrap) = try CompareSuite.startBroker(meterd: meterd, topics: topicList, logs: logs, library: options.brokerLibrary)

    // 2. Produce.
    var stream = PipelineStream(seed: 7, consumerCount: PipelineConfiguration.consumerCount)
    say("producing \(options.events) records (~\(stream.averageRecordBytes) B) to \(inputTopic) …")
    let produced = try KafkaPhases.produce(
        stream: &stream, count: options.events, topic: inputTopic, partitions: options.inputPartitions, bootstrap: bootstrap
    )
    let mib = 1_048_576.0
    say(String(format: "produced in %.1f s (%.0f events/s); uncompressed %.1f MiB per partition (largest), the mock keeps ~5 MiB of compressed batches",
               produced.seconds, Double(produced.records) / produced.seconds, Double(produced.maxPartitionValueBytes) / mib))

    // 3 and 4. Raw consumes of the same topic and `meterd run`, alternated: a raw pass before
    // every meterd run and one after the last. Both move by ±30% with this VM's phase within
    // seconds, so each side's median is reported (one meterd run has gone from 88k to 213k
    // events/s in consecutive minutes, e.g. when its two members joined the group 5 s apart).
    var rawPasses: [RawConsumeResult] = []
    var runs: [(repetition: ThroughputRepetition, result: MeterdRunResult)] = []
    for repetition in repetitions {
        rawPasses.append(try rawConsumePass(options: options, bootstrap: bootstrap))
        if repetition.number == 1 {
            say("verified: all \(options.inputPartitions) partitions start at offset 0 and hold all \(options.events) records")
        }
        var configuration = PipelineConfiguration.meterd
        configuration.outputs = repetition.meterdOutputs
        let configPath = logs + (repetition.number == 1 ? "/bench.yaml" : "/bench-\(repetition.number).yaml")
        try BenchConfigYAML.render(appId: repetition.meterdAppId, inputTopic: inputTopic, bootstrap: bootstrap, commitInterval: options.commitInterval,
                                   configuration: configuration,
                                   kafkaProperties: BenchConfigYAML.embeddedBrokerGroupProperties.merging(options.meterdProperties) { $1 })
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        say("meterd run -c \(configPath) (run \(repetition.number) of \(repetitions.count)) …")
        let run = try MeterdRunPhase.run(
            meterd: meterd, configPath: configPath, bootstrap: bootstrap, logDirectory: logs, logSuffix: repetition.logSuffix,
            inputTopic: inputTopic, repartitionTopic: "\(repetition.meterdAppId)-repartition", events: options.events,
            brokerPid: broker.processIdentifier, threads: options.meterdThreads, splitStages: options.meterdSplitStages, timeoutSeconds: options.timeoutSeconds
        )
        say(String(format: "  %.0f events/s, %.1f CPU s", Double(options.events) / (run.doneSeconds - run.startupSeconds), run.cpuSeconds))
        if run.final["meterd_data_loss_total"] > 0 {
            throw BenchError("meterd_data_loss_total = \(Int(run.final["meterd_data_loss_total"])) in run \(repetition.number): the embedded broker deleted data meterd needed; increase partitions")
        }
        runs.append((repetition, run))
    }
    rawPasses.append(try rawConsumePass(options: options, bootstrap: bootstrap))
    // The median run (the lower middle one of an even count) is the one reported in full.
    let byRate = runs.sorted { ($0.result.doneSeconds - $0.result.startupSeconds) > ($1.result.doneSeconds - $1.result.startupSeconds) }
    let (medianRepetition, run) = byRate[(byRate.count - 1) / 2]
    let medianAppId = medianRepetition.meterdAppId

    // 5. The median run's repartition topic, read raw.
    let hop = try KafkaPhases.rawConsume(
        topic: "\(medianAppId)-repartition", partitions: options.internalPartitions, expected: Int(run.final.recordsOut("\(medianAppId)-repartition")),
        bootstrap: bootstrap, idleSeconds: 3
    )
    let changelogTruncated = try KafkaPhases.truncatedPartitions(topic: "\(medianAppId)-changelog", partitions: options.internalPartitions, bootstrap: bootstrap)
    ChildProcesses.shared.stop(broker)

    let report = Report(
        options: options, machine: machine, averageRecordBytes: stream.averageRecordBytes,
        produced: produced, rawPasses: rawPasses, run: run, allRuns: runs.map(\.result), medianRun: medianRepetition.number, hop: hop,
        inputTopic: inputTopic, repartitionTopic: "\(medianAppId)-repartition", changelogTopic: "\(medianAppId)-changelog",
        changelogTruncated: changelogTruncated, outputs: medianRepetition.meterdOutputs
    )
    say("")
    say(report.markdownTable)
    say(report.verdict)
    if options.writeBenchmarks {
        try report.updateBenchmarksFile(path: options.benchmarksFile)
        say("updated \(options.benchmarksFile)")
    }
}

ChildProcesses.shared.stopOnSignals()
do {
    let options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
    try FileManager.default.createDirectory(atPath: options.logDirectory, withIntermediateDirectories: true)
    if options.suite == "compare" {
        try CompareSuite.run(options)
    } else {
        try runBenchmark(options)
    }
    ChildProcesses.shared.stopAll()
} catch {
    ChildProcesses.shared.stopAll()
    FileHandle.standardError.write(Data("pipeline-e2e: \(error)\n".utf8))
    exit(1)
}
