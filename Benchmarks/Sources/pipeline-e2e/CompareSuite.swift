import Foundation
import KongTraffic
import MeterdCore

/// `make bench` (issue #6): on one bench-only broker, the same generated Kong
/// topic read by meterd, a Quix Streams application, a hand-written
/// confluent-kafka loop and a raw librdkafka consumer; then quota latency of
/// the three processors under live traffic, meterd's scaling curve and its
/// restore rate after a kill -9.
enum CompareSuite {
    static let input = "bench.usage"
    static let inputPartitions = 6
    static let latencyLimit = 100.0

    static func run(_ options: Options) throws {
        let meterd = URL(fileURLWithPath: options.meterd).standardizedFileURL.path
        let bench = URL(fileURLWithPath: options.benchDirectory).standardizedFileURL.path
        let python = URL(fileURLWithPath: options.python).standardizedFileURL.path
        let logs = options.logDirectory
        for (path, what) in [(meterd, "a release meterd"), (python, "the bench venv's python (bench/run.sh makes it)")]
        where !FileManager.default.isExecutableFile(atPath: path) {
            throw BenchError("no \(what) at \(path)")
        }
        let machine = MachineInfo.current()
        say("machine: \(machine.summary)")
        let commitSeconds = try Contenders.seconds(ofDuration: options.commitInterval)
        let latencyCommitSeconds = try Contenders.seconds(ofDuration: options.latencyCommitInterval)

        // Quix's internal topic names, so that the broker creates them (the mock has no CreateTopics).
        let placeholderConfig = logs + "/placeholder.yaml"
        try BenchConfigYAML.render(appId: "bench", inputTopic: input, bootstrap: "127.0.0.1:1", commitInterval: "1s")
            .write(toFile: placeholderConfig, atomically: true, encoding: .utf8)
        func quixTopics(group: String, input: String) throws -> [String] {
            guard !options.skipQuix else { return [] }
            let out = logs + "/quix-topics-\(group).txt"
            let process = try ChildProcesses.shared.start(python, [
                bench + "/quix_app.py", "--config", placeholderConfig, "--input", input, "--rollups", "x", "--quota", "x",
                "--group", group, "--list-topics", "\(inputPartitions)",
            ], stdout: out, stderr: logs + "/quix-topics-\(group).stderr.log", environment: ["PYTHONWARNINGS": "ignore"])
            process.waitUntilExit()
            let names = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).filter { $0.contains(":") }
            guard process.terminationStatus == 0, !names.isEmpty else {
                throw BenchError("quix_app.py --list-topics failed; see \(logs)/quix-topics-\(group).stderr.log")
            }
            return names
        }

        // 1. The broker and every topic of the run.
        let p = inputPartitions
        var topics = ["\(input):\(p)", "bench-repartition:\(p)", "bench-changelog:\(p)", "usage.rollups:\(p)", "usage.quota:\(p)", "usage.dlq:2",
                      "hand.rollups:\(p)", "hand.quota:\(p)", "hand.state:\(p)", "quix.rollups:\(p)", "quix.quota:\(p)"]
        topics += try quixTopics(group: "quix-bench", input: input)
        for name in ["meterd", "hand", "quix"] {
            topics += ["lat-\(name).usage:\(p)", "lat-\(name).rollups:\(p)", "lat-\(name).quota:\(p)", "lat-\(name).dlq:2", "lat-\(name).state:\(p)"]
        }
        topics += ["latm-repartition:\(p)", "latm-changelog:\(p)"]
        for repetition in ThroughputRepetition.all(options.repetitions).dropFirst() {
            topics += ["\(repetition.meterdAppId)-repartition:\(p)", "\(repetition.meterdAppId)-changelog:\(p)"]
            let meterdOutputs = repetition.meterdOutputs
            topics += ["\(meterdOutputs.rollups):\(p)", "\(meterdOutputs.quota):\(p)", "\(meterdOutputs.dlq):2"]
        }
        topics += try quixTopics(group: "quix-lat", input: "lat-quix.usage")
        for partitions in [6, 12] {
            topics.append("\(ScalingPhase.inputTopic(partitions: partitions)):\(partitions)")
            for processes in [1, 2, 4] {
                let app = ScalingPhase.appId(partitions: partitions, processes: processes)
                topics += ["\(app)-repartition:\(partitions)", "\(app)-changelog:\(partitions)"]
            }
        }
        let (broker, bootstrap) = try startBroker(meterd: meterd, topics: topics, logs: logs, library: options.brokerLibrary)

        // 2. The same Kong events, generated once.
        var stream = PipelineStream(seed: 7, consumerCount: PipelineConfiguration.consumerCount)
        say("producing \(options.events) records (~\(stream.averageRecordBytes) B) to \(input) (\(p) partitions) …")
        let produced = try KafkaPhases.produce(stream: &stream, count: options.events, topic: input, partitions: p, bootstrap: bootstrap)
        say(String(format: "produced in %.1f s; %.0f MiB uncompressed in the largest partition", produced.seconds, Double(produced.maxPartitionValueBytes) / 1_048_576))
        for partitions in [6, 12] {
            _ = try KafkaPhases.produce(stream: &stream, count: options.scaleEvents, topic: ScalingPhase.inputTopic(partitions: partitions), partitions: partitions, bootstrap: bootstrap)
        }

        // 3. Raw consume: the ceiling, and the check that the broker kept everything.
        let driverCpuBefore = ProcStats.cpuSeconds(pid: getpid()) ?? 0
        let raw = try KafkaPhases.rawConsume(topic: input, partitions: p, expected: options.events, bootstrap: bootstrap)
        let rawCpuSeconds = (ProcStats.cpuSeconds(pid: getpid()) ?? driverCpuBefore) - driverCpuBefore
        guard raw.truncatedPartitions.isEmpty, raw.records == options.events else {
            throw BenchError("the broker lost input: read \(raw.records) of \(options.events), truncated partitions \(raw.truncatedPartitions); is --broker-lib the bench-only librdkafka?")
        }
        say(String(format: "raw consume: %.0f events/s; every partition starts at offset 0", Double(raw.records) / raw.seconds))

        // 4. The three processors over the same backlog. meterd's run takes
        // seconds, so a moment of noise on this shared VM moves its rate a lot:
        // it runs `repetitions` times (the hand loop runs between its first
        // and second run) and its median run is reported. The hand loop's run
        // takes ~30 s and Quix's minutes: they run once.
        var runs: [String: [ThroughputResult]] = [:]
        let timeout = options.timeoutSeconds
        let throughputConfig = logs + "/bench.yaml"
        for repetition in ThroughputRepetition.all(options.repetitions) {
            var configuration = PipelineConfiguration.meterd
            configuration.outputs = repetition.meterdOutputs
            let config = repetition.number == 1 ? throughputConfig : logs + "/bench-\(repetition.number).yaml"
            try BenchConfigYAML.render(appId: repetition.meterdAppId, inputTopic: input, bootstrap: bootstrap, commitInterval: options.commitInterval,
                                       configuration: configuration, kafkaProperties: BenchConfigYAML.embeddedBrokerGroupProperties)
                .write(toFile: config, atomically: true, encoding: .utf8)
            say("meterd run (run \(repetition.number) of \(options.repetitions)) …")
            var launched = KafkaPhases.now()
            let meterdRun = try ThroughputPhase.measure(try Contenders.meterd(
                meterd, configPath: config, bootstrap: bootstrap, count: 1, name: "meterd", logs: logs,
                inputTopic: input, repartitionTopic: "\(repetition.meterdAppId)-repartition", threads: options.meterdThreads, splitStages: options.meterdSplitStages,
                logSuffix: repetition.logSuffix
            ), events: options.events, launched: launched, timeoutSeconds: timeout)
            runs["meterd", default: []].append(meterdRun)
            say(String(format: "  %.0f events/s", meterdRun.rate))
            guard repetition.number == 1 else { continue }
            say("handloop.py …")
            launched = KafkaPhases.now()
            let handRun = try ThroughputPhase.measure(try Contenders.python(python, script: bench + "/handloop.py", arguments: [
                "--bootstrap", bootstrap, "--config", throughputConfig, "--input", input, "--rollups", "hand.rollups",
                "--quota", "hand.quota", "--state", "hand.state", "--group", "hand-bench", "--commit-interval", "\(commitSeconds)",
            ], name: "handloop", logs: logs), events: options.events, launched: launched, timeoutSeconds: timeout)
            runs["handloop", default: []].append(handRun)
            say(String(format: "  %.0f events/s", handRun.rate))
        }
        var results = ["meterd", "handloop"].compactMap { runs[$0].flatMap(ThroughputRepetition.median) }
        if !options.skipQuix {
            say("quix_app.py …")
            try? FileManager.default.removeItem(atPath: logs + "/quix-state")
            let launched = KafkaPhases.now()
            results.append(try ThroughputPhase.measure(try Contenders.python(python, script: bench + "/quix_app.py", arguments: [
                "--bootstrap", bootstrap, "--config", throughputConfig, "--input", input, "--rollups", "quix.rollups", "--quota", "quix.quota",
                "--group", "quix-bench", "--commit-interval", "\(commitSeconds)", "--state-dir", logs + "/quix-state",
            ], name: "quix", logs: logs), events: options.events, launched: launched, timeoutSeconds: timeout))
            say(String(format: "  %.0f events/s", results[results.count - 1].rate))
        }

        // What each processor wrote in its first run, as a sanity check (meterd also writes late revisions).
        var outputs: [(String, Int, Int)] = []
        for (name, rollups, quota) in [("meterd", "usage.rollups", "usage.quota"), ("handloop", "hand.rollups", "hand.quota"), ("quix", "quix.rollups", "quix.quota")]
        where results.contains(where: { $0.name == name }) {
            func count(_ topic: String) -> Int {
                (try? KafkaPhases.rawConsume(topic: topic, partitions: p, expected: Int.max, bootstrap: bootstrap, idleSeconds: 2).records) ?? -1
            }
            outputs.append((name, count(rollups), count(quota)))
        }

        if options.throughputOnly {
            ChildProcesses.shared.stop(broker)
            say(String(format: "raw consume: %.0f events/s", Double(raw.records) / raw.seconds))
            for result in results {
                say(String(format: "%@: %.0f events/s, CPU %.1f s, peak RSS %d MiB", result.name, result.rate, result.cpuSeconds, result.peakRSS / 1_048_576)
                    + ((runs[result.name]?.count ?? 0) > 1 ? " (median of " + (runs[result.name] ?? []).map { String(format: "%.0f", $0.rate) }.joined(separator: ", ") + ")" : ""))
            }
            for (name, rollups, quota) in outputs { say("\(name) wrote \(rollups) rollups, \(quota) quota events") }
            return
        }

        // 5. Quota latency under live traffic.
        var latencyConfiguration = PipelineConfiguration.meterd
        var latencyThresholds: [Double] = [100]
        if var plan = latencyConfiguration.plans["standard"], var rule = plan.rules["successful_requests"] {
            rule.limit = latencyLimit
            plan.rules["successful_requests"] = rule
            latencyConfiguration.plans["standard"] = plan
            latencyThresholds = rule.thresholds
        }
        latencyConfiguration.customers = latencyConfiguration.customers.map { customer in
            var customer = customer
            customer.overrides = [:]
            return customer
        }
        var latencies: [LatencyResult] = []
        for name in ["meterd", "hand"] + (options.skipQuix ? [] : ["quix"]) {
            latencyConfiguration.outputs = OutputTopics(rollups: "lat-\(name).rollups", quota: "lat-\(name).quota", dlq: "lat-\(name).dlq")
            let config = logs + "/latency-\(name).yaml"
            try BenchConfigYAML.render(
                appId: "latm", inputTopic: "lat-\(name).usage", bootstrap: bootstrap, commitInterval: options.latencyCommitInterval,
                configuration: latencyConfiguration, kafkaProperties: BenchConfigYAML.embeddedBrokerGroupProperties
            ).write(toFile: config, atomically: true, encoding: .utf8)
            let contender: RunningContender
            switch name {
            case "meterd":
                contender = try Contenders.meterd(meterd, configPath: config, bootstrap: bootstrap, count: 1, name: "latency-meterd", logs: logs,
                                                  inputTopic: "lat-meterd.usage", repartitionTopic: "latm-repartition", threads: options.meterdThreads, splitStages: options.meterdSplitStages)
            case "hand":
                contender = try Contenders.python(python, script: bench + "/handloop.py", arguments: [
                    "--bootstrap", bootstrap, "--config", config, "--input", "lat-hand.usage", "--rollups", "lat-hand.rollups",
                    "--quota", "lat-hand.quota", "--state", "lat-hand.state", "--group", "hand-lat", "--commit-interval", "\(latencyCommitSeconds)",
                ], name: "latency-handloop", logs: logs)
            default:
                try? FileManager.default.removeItem(atPath: logs + "/quix-lat-state")
                contender = try Contenders.python(python, script: bench + "/quix_app.py", arguments: [
                    "--bootstrap", bootstrap, "--config", config, "--input", "lat-quix.usage", "--rollups", "lat-quix.rollups",
                    "--quota", "lat-quix.quota", "--group", "quix-lat", "--commit-interval", "\(latencyCommitSeconds)",
                    "--state-dir", logs + "/quix-lat-state",
                ], name: "latency-quix", logs: logs)
            }
            defer { contender.stop() }
            say("latency: \(contender.name) at \(options.latencyRate) events/s for \(options.latencySeconds) s …")
            var live = PipelineStream(seed: 11, consumerCount: PipelineConfiguration.consumerCount)
            let result = try LatencyPhase.run(contender, settings: .init(
                topic: "lat-\(name).usage", partitions: p, quotaTopic: "lat-\(name).quota", quotaPartitions: p, bootstrap: bootstrap,
                rate: options.latencyRate, seconds: options.latencySeconds, limit: latencyLimit, thresholds: latencyThresholds
            ), stream: &live)
            say(String(format: "  p50 %.3f s, p99 %.3f s (%d of %d crossings)", result.p50, result.p99, result.matched, result.crossings))
            latencies.append(result)
        }

        // 6. Scaling curve and restore.
        let scaling = try ScalingPhase.run(ScalingPhase.Run(
            meterd: meterd, bootstrap: bootstrap, logs: logs, events: options.scaleEvents, timeoutSeconds: timeout,
            writeConfig: { app, topic in
                let path = logs + "/\(app).yaml"
                // A crashed member's partitions move after the session timeout: keep it at the broker's minimum.
                try BenchConfigYAML.render(appId: app, inputTopic: topic, bootstrap: bootstrap, commitInterval: options.commitInterval,
                                           kafkaProperties: BenchConfigYAML.embeddedBrokerGroupProperties)
                    .write(toFile: path, atomically: true, encoding: .utf8)
                return path
            }
        ), partitionCounts: [6, 12], processCounts: [1, 2, 4])
        ChildProcesses.shared.stop(broker)

        let report = CompareReport(
            options: options, machine: machine, averageRecordBytes: stream.averageRecordBytes, produced: produced, raw: raw, rawCpuSeconds: rawCpuSeconds,
            throughput: results, runs: runs, outputs: outputs, latencies: latencies, scaling: scaling.0, restore: scaling.1,
            brokerLibrary: options.brokerLibrary
        )
        say("")
        say(report.markdown)
        if options.writeBenchmarks {
            try report.updateBenchmarksFile(path: options.benchmarksFile)
            say("updated \(options.benchmarksFile)")
        }
    }

    /// `meterd broker` with `topics`, on the bench-only librdkafka when `library` is given.
    static func startBroker(meterd: String, topics: [String], logs: String, library: String?) throws -> (Process, String) {
        let emptyTopicsDirectory = logs + "/no-topics"
        try FileManager.default.createDirectory(atPath: emptyTopicsDirectory, withIntermediateDirectories: true)
        var environment: [String: String] = [:]
        if let library { environment["LD_LIBRARY_PATH"] = URL(fileURLWithPath: library).standardizedFileURL.path }
        let broker = try ChildProcesses.shared.start(
            meterd, ["broker", "--app-id", "bench", "--topics-dir", emptyTopicsDirectory, "--topics", topics.joined(separator: ",")],
            stdout: logs + "/broker.stdout.log", stderr: logs + "/broker.stderr.log", environment: environment
        )
        let bootstrap = try waitForBootstrap(stdoutPath: logs + "/broker.stdout.log", process: broker)
        say("broker: \(bootstrap) (pid \(broker.processIdentifier)), \(topics.count) topics\(library.map { ", librdkafka from \($0)" } ?? "")")
        return (broker, bootstrap)
    }
}
