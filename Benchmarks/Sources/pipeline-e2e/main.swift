import Foundation
import KongTraffic

// End-to-end throughput of `meterd run` with exactly-once on, next to the raw
// librdkafka consume rate of the same input topic, in one run on the
// embedded broker:
//   1. `meterd broker` with the input topic and bench's internal topics (`make bench-pipeline`:
//      6 partitions each, on the bench-only broker build with larger partition limits);
//   2. N generated Kong records (~1.3 KB) produced with lz4;
//   3. a plain consumer reads them all back, twice (and once more after 4): the raw rate is the median pass;
//   4. `meterd run` processes them through both stages; /metrics and /proc are sampled;
//   5. a plain consumer reads the repartition topic (the hop's records).
// Prints a markdown table and rewrites the "End-to-end pipeline" section of BENCHMARKS.md.
//   swift run -c release pipeline-e2e [--meterd PATH] [--events N] [--no-write]
// `--suite compare` (make bench) runs CompareSuite instead: meterd next to its peers.

let inputTopic = "bench.usage"
let appId = "bench"
let repartitionTopic = "\(appId)-repartition"
let changelogTopic = "\(appId)-changelog"

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
    let outputs = PipelineConfiguration.meterd.outputs
    let topicList = [
        "\(inputTopic):\(options.inputPartitions)", "\(repartitionTopic):\(options.internalPartitions)",
        "\(changelogTopic):\(options.internalPartitions)", "\(outputs.rollups):32", "\(outputs.quota):8", "\(outputs.dlq):4",
    ]
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

    // 3. Raw consume of the same topic: two passes now and one after `meterd run`, the
    // median is the baseline (one 1-2 s pass moved by ±30% with this VM's phase).
    var rawPasses: [RawConsumeResult] = []
    for _ in 0..<2 { rawPasses.append(try rawConsumePass(options: options, bootstrap: bootstrap)) }
    say("verified: all \(options.inputPartitions) partitions start at offset 0 and hold all \(options.events) records")

    // 4. meterd run.
    let configPath = logs + "/bench.yaml"
    try BenchConfigYAML.render(appId: appId, inputTopic: inputTopic, bootstrap: bootstrap, commitInterval: options.commitInterval,
                               kafkaProperties: BenchConfigYAML.embeddedBrokerGroupProperties)
        .write(toFile: configPath, atomically: true, encoding: .utf8)
    say("meterd run -c \(configPath) …")
    let run = try MeterdRunPhase.run(
        meterd: meterd, configPath: configPath, bootstrap: bootstrap, logDirectory: logs,
        inputTopic: inputTopic, repartitionTopic: repartitionTopic, events: options.events,
        brokerPid: broker.processIdentifier, threads: options.meterdThreads, splitStages: options.meterdSplitStages, timeoutSeconds: options.timeoutSeconds
    )

    // 5. The repartition topic, read raw.
    let hop = try KafkaPhases.rawConsume(
        topic: repartitionTopic, partitions: options.internalPartitions, expected: Int(run.final.recordsOut(repartitionTopic)),
        bootstrap: bootstrap, idleSeconds: 3
    )
    let changelogTruncated = try KafkaPhases.truncatedPartitions(topic: changelogTopic, partitions: options.internalPartitions, bootstrap: bootstrap)
    rawPasses.append(try rawConsumePass(options: options, bootstrap: bootstrap))
    ChildProcesses.shared.stop(broker)

    let report = Report(
        options: options, machine: machine, averageRecordBytes: stream.averageRecordBytes,
        produced: produced, rawPasses: rawPasses, run: run, hop: hop, inputTopic: inputTopic, repartitionTopic: repartitionTopic,
        changelogTopic: changelogTopic, changelogTruncated: changelogTruncated, outputs: outputs
    )
    say("")
    say(report.markdownTable)
    say(report.verdict)
    if options.writeBenchmarks {
        try report.updateBenchmarksFile(path: options.benchmarksFile)
        say("updated \(options.benchmarksFile)")
    }
    if run.final["meterd_data_loss_total"] > 0 {
        throw BenchError("meterd_data_loss_total = \(Int(run.final["meterd_data_loss_total"])): the embedded broker deleted data meterd needed; increase partitions")
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
