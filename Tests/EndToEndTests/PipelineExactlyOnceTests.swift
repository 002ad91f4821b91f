import Foundation
import MeterdKafka
import Testing

/// `meterd run` against the embedded broker, checked end to end against an
/// independent oracle: latest rollup per key, the set of quota events and
/// the dead letters must equal what the generated input implies, also
/// across SIGKILL, scale-out/in and SIGTERM.
@Suite("meterd run exactly-once, end to end", .serialized, .timeLimit(.minutes(3)))
struct PipelineExactlyOnceTests {
    let setup = PipelineSetup.standard

    @Test("one processor: rollups, quota events and dead letters equal the oracle")
    func basic() async throws {
        try await runOneProcessor(setup, seed: 1, count: 20_000, label: "basic")
    }

    @Test("input keyed by subject, aggregated in place (no repartition hop): outputs equal the oracle")
    func keyedBySubject() async throws {
        try await runOneProcessor(.keyed, seed: 5, count: 10_000, label: "keyed")
    }

    /// Sends `count` generated records to one processor and compares its
    /// outputs with the oracle.
    private func runOneProcessor(_ setup: PipelineSetup, seed: UInt64, count: Int, label: String) async throws {
        let cluster = try await PipelineCluster(setup: setup)
        defer { cluster.terminateAll() }
        let records = TrafficGenerator(setup: setup, seed: seed).generate(count: count)
        try await cluster.start("p1")
        let producer = try TrafficProducer(bootstrap: cluster.bootstrap)
        let started = ContinuousClock.now
        try await onThread { try producer.send(records[...]) }
        let (oracle, reader) = try await expectOutputsEqualOracle(producer, cluster)
        if !setup.keyedBySubject { try await expectEventTimeGauges(producer.produced, cluster) }
        print("e2e \(label): \(records.count) records, \(oracle.rollups.count) rollups, \(oracle.quota.count) quota events, \(oracle.deadLetters.count) dead letters; caught up in \(ContinuousClock.now - started); \(reader.recordCount) output records read; \(cluster.counterSummary())")
        #expect(try await cluster.stop("p1", signal: SIGTERM) == 0)
    }

    @Test("SIGKILL at 5 seeded moments while producing: outputs still equal the oracle")
    func crashes() async throws {
        let cluster = try await PipelineCluster(setup: setup)
        defer { cluster.terminateAll() }
        let records = TrafficGenerator(setup: setup, seed: 2).generate(count: 20_000)
        try await cluster.start("p1")
        let producer = try TrafficProducer(bootstrap: cluster.bootstrap)
        let started = ContinuousClock.now
        let production = paced(records, chunk: 400, pause: .milliseconds(600), producer)
        var random = SeededRandom(seed: 22)
        var moment = Duration.milliseconds(random.int(in: 1_500...3_000))
        var producedAtKill: [Int] = []
        for _ in 0..<5 {
            try await Task.sleep(until: started + moment, clock: .continuous)
            producedAtKill.append(producer.produced.count)
            #expect(try await cluster.stop("p1", signal: SIGKILL) == SIGKILL)
            try await cluster.start("p1")
            moment += .milliseconds(random.int(in: 3_000...5_500))
        }
        try await production.value
        #expect(producedAtKill.allSatisfy { $0 < records.count }, "every kill happened while producing: \(producedAtKill)")
        let (_, reader) = try await expectOutputsEqualOracle(producer, cluster)
        print("e2e crash: kills after \(producedAtKill) of \(records.count) records; caught up in \(ContinuousClock.now - started); \(reader.recordCount) output records read; \(cluster.counterSummary())")
        #expect(try await cluster.stop("p1", signal: SIGTERM) == 0)
    }

    @Test("scale 1 → 3 → 1 while producing: partitions restored on each new owner, outputs equal the oracle")
    func scaleOutAndIn() async throws {
        let cluster = try await PipelineCluster(setup: setup)
        defer { cluster.terminateAll() }
        let records = TrafficGenerator(setup: setup, seed: 3).generate(count: 20_000)
        let first = try await cluster.start("a")
        let producer = try TrafficProducer(bootstrap: cluster.bootstrap)
        let started = ContinuousClock.now
        let production = paced(records, chunk: 400, pause: .milliseconds(500), producer)
        try await Task.sleep(for: .seconds(4))
        let second = try await cluster.start("b")
        let third = try await cluster.start("c")
        // Wait until both new members own (and restored) aggregation partitions.
        let deadline = ContinuousClock.now + .seconds(40)
        while cluster.restoredPartitions(of: second).isEmpty || cluster.restoredPartitions(of: third).isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        try await Task.sleep(for: .seconds(3))
        let movedOut = Set(cluster.restoredPartitions(of: second) + cluster.restoredPartitions(of: third))
        #expect(!cluster.restoredPartitions(of: second).isEmpty && !cluster.restoredPartitions(of: third).isEmpty,
                "both new members restored partitions; a restored \(cluster.restoredPartitions(of: first))")
        #expect(try await cluster.stop("b", signal: SIGTERM) == 0)
        #expect(try await cluster.stop("c", signal: SIGTERM) == 0)
        try await production.value
        try await expectOutputsEqualOracle(producer, cluster)
        let restoredByFirst = cluster.restoredPartitions(of: first)
        for member in [first, second, third] {
            #expect(Set(cluster.assignedPartitions(of: member)) == Set(cluster.restoredPartitions(of: member)),
                    "every aggregation partition assigned to a member was restored there")
        }
        for partition in movedOut {
            #expect(restoredByFirst.filter { $0 == partition }.count >= 2, "partition \(partition) restored again on a after scale-in: \(restoredByFirst)")
        }
        let metrics = cluster.metrics()["a"] ?? [:]
        #expect((metrics["meterd_restored_partitions_total"] ?? 0) >= Double(6 + movedOut.count))
        print("e2e scale: b+c took aggregation partitions \(movedOut.sorted()); a restored \(restoredByFirst); caught up in \(ContinuousClock.now - started); \(cluster.counterSummary())")
        #expect(try await cluster.stop("a", signal: SIGTERM) == 0)
    }

    @Test("--threads 2: two members in one process, SIGKILL mid-stream and restart: outputs equal the oracle")
    func threadsInOneProcess() async throws {
        try await runTwoThreads(arguments: ["--threads", "2"], seed: 6, label: "threads") { cluster, process in
            // The process restarted itself with malloc's huge pages where this machine asks for them (same pid).
            let hugePages: Bool = if case .restart = MallocHugePages.currentDecision() { true } else { MallocHugePages.isRequested }
            #expect(!cluster.logLines(of: "t", containing: "meterd.malloc_huge_pages=\(hugePages)").isEmpty, "\(process.stderr.prefix(2_000))")
            // librdkafka's main threads run at the default raised nice value (`kafka.mainThreadNice`),
            // its broker threads at the process's; the loops carry their names.
            #expect(!cluster.logLines(of: "t", containing: "meterd.kafka_main_thread_nice=10").isEmpty, "\(process.stderr.prefix(2_000))")
            let threads = ProcessThreads.of(pid: process.process.processIdentifier)
            let base = ProcessThreads.nice(pid: process.process.processIdentifier)
            #expect(threads.filter { $0.name == "rdk:main" && $0.nice == min(19, (base ?? 0) + 10) }.count >= 4, "\(threads)")
            #expect(threads.filter { $0.name.hasPrefix("rdk:broker") }.allSatisfy { $0.nice == base }, "\(threads)")
            #expect(Set(threads.map(\.name)).isSuperset(of: ["meterd-loop-1", "meterd-loop-2"]), "\(threads)")
            for member in ["1", "2"] {
                #expect(!cluster.logLines(of: "t", containing: "meterd.member=\(member) ").filter { $0.contains("meterd.stages=all") }.isEmpty)
            }
        }
    }

    @Test("--threads 2 --split-stages: a decoding and an aggregating member, SIGKILL and restart: outputs equal the oracle")
    func splitStages() async throws {
        try await runTwoThreads(arguments: ["--threads", "2", "--split-stages"], seed: 7, label: "split stages") { cluster, process in
            // Member 1 subscribed to the input topic only and member 2 to the repartition topic only,
            // so the group gave every input partition to 1 and every repartition partition to 2.
            let assigned = { (member: Int) in cluster.assignmentLines(of: "t", member: member).joined(separator: "\n") }
            #expect(!cluster.logLines(of: "t", containing: "meterd.member=1 ").filter { $0.contains("meterd.stages=decode") }.isEmpty)
            #expect(!cluster.logLines(of: "t", containing: "meterd.member=2 ").filter { $0.contains("meterd.stages=aggregate") }.isEmpty)
            for partition in 0..<6 {
                #expect(assigned(1).contains("gateway.usage[\(partition)]"), "\(assigned(1))")
            }
            #expect(!assigned(1).contains("meterd-repartition["), "\(assigned(1))")
            #expect(Set(cluster.assignedPartitions(of: process)) == Set(0..<6), "\(assigned(2))")
            #expect(!assigned(2).contains("gateway.usage["), "\(assigned(2))")
        }
    }

    @Test("a --split-stages process and a full member share the group while producing: outputs equal the oracle")
    func splitAndFullMembersShareAGroup() async throws {
        let cluster = try await PipelineCluster(setup: setup)
        defer { cluster.terminateAll() }
        let records = TrafficGenerator(setup: setup, seed: 8).generate(count: 12_000)
        try await cluster.start("t", arguments: ["--threads", "2", "--split-stages"])
        let producer = try TrafficProducer(bootstrap: cluster.bootstrap)
        let started = ContinuousClock.now
        let production = paced(records, chunk: 400, pause: .milliseconds(400), producer)
        try await Task.sleep(for: .seconds(2))
        let full = try await cluster.start("f")
        // The full member takes a share of both topics; the split process keeps each kind to its topic.
        // Wait for all three assignments: the embedded broker's coordinator may settle t's members after f.
        try? await cluster.await("f and both threads of t assigned") {
            !cluster.assignedPartitions(of: full).isEmpty && !cluster.logLines(of: "f", containing: "gateway.usage[").isEmpty
                && cluster.hasAssignment(of: "t", member: 1, containing: ["gateway.usage"])
                && cluster.hasAssignment(of: "t", member: 2, containing: ["meterd-repartition"])
        }
        #expect(!cluster.assignedPartitions(of: full).isEmpty, "the full member got aggregation partitions")
        #expect(!cluster.logLines(of: "f", containing: "gateway.usage[").filter { $0.contains("partitions assigned") }.isEmpty, "the full member got input partitions")
        let decodeAssignments = cluster.assignmentLines(of: "t", member: 1)
        let aggregateAssignments = cluster.assignmentLines(of: "t", member: 2)
        #expect(!decodeAssignments.isEmpty && decodeAssignments.allSatisfy { !$0.contains("meterd-repartition[") }, "\(decodeAssignments)")
        #expect(!aggregateAssignments.isEmpty && aggregateAssignments.allSatisfy { !$0.contains("gateway.usage[") }, "\(aggregateAssignments)")
        try await production.value
        try await expectOutputsEqualOracle(producer, cluster)
        print("e2e split + full: f aggregates \(cluster.assignedPartitions(of: full).sorted()); caught up in \(ContinuousClock.now - started); \(cluster.counterSummary())")
        #expect(try await cluster.stop("f", signal: SIGTERM) == 0)
        #expect(try await cluster.stop("t", signal: SIGTERM) == 0)
    }

    /// Runs one `meterd run` process with two processing threads while
    /// producing, checks it with `check` after both threads joined, kills it
    /// (SIGKILL), restarts it and compares its outputs with the oracle.
    private func runTwoThreads(
        arguments: [String], seed: UInt64, label: String, check: (PipelineCluster, MeterdProcess) -> Void
    ) async throws {
        let cluster = try await PipelineCluster(setup: setup)
        defer { cluster.terminateAll() }
        let records = TrafficGenerator(setup: setup, seed: seed).generate(count: 12_000)
        let process = try await cluster.start("t", arguments: arguments)
        // Both threads own partitions before the traffic starts, so that the
        // checks below see their assignments and the kill lands mid-stream
        // however long the embedded broker's coordinator takes to settle.
        let split = arguments.contains("--split-stages")
        try await cluster.await("both threads of t assigned") {
            cluster.hasAssignment(of: "t", member: 1, containing: split ? ["gateway.usage"] : [])
                && cluster.hasAssignment(of: "t", member: 2, containing: split ? ["meterd-repartition"] : [])
                && (split || cluster.assignmentLines(of: "t", member: 1).contains { !$0.contains("meterd.partitions= ") }
                    && cluster.assignmentLines(of: "t", member: 2).contains { !$0.contains("meterd.partitions= ") })
        }
        let producer = try TrafficProducer(bootstrap: cluster.bootstrap)
        let started = ContinuousClock.now
        let production = paced(records, chunk: 400, pause: .milliseconds(400), producer)
        try await Task.sleep(for: .seconds(6))
        // Both threads joined the group as members of their own.
        let joined = ["t-1", "t-2"].filter { !cluster.logLines(of: "t", containing: "meterd.transactional_id=meterd-\($0)").isEmpty }
        #expect(joined == ["t-1", "t-2"], "\(process.stderr.suffix(2_000))")
        check(cluster, process)
        let producedAtKill = producer.produced.count
        #expect(try await cluster.stop("t", signal: SIGKILL) == SIGKILL)
        try await cluster.start("t", arguments: arguments)
        try await production.value
        #expect(producedAtKill < records.count, "the kill happened while producing")
        try await expectOutputsEqualOracle(producer, cluster)
        print("e2e \(label): kill after \(producedAtKill) of \(records.count) records; caught up in \(ContinuousClock.now - started); \(cluster.counterSummary())")
        #expect(try await cluster.stop("t", signal: SIGTERM) == 0)
    }

    @Test("SIGTERM mid-stream exits 0 within 2 s; after a restart outputs equal the oracle")
    func gracefulStop() async throws {
        let cluster = try await PipelineCluster(setup: setup)
        defer { cluster.terminateAll() }
        let records = TrafficGenerator(setup: setup, seed: 4).generate(count: 20_000)
        try await cluster.start("p1")
        let producer = try TrafficProducer(bootstrap: cluster.bootstrap)
        let started = ContinuousClock.now
        let production = paced(records, chunk: 500, pause: .milliseconds(400), producer)
        try await Task.sleep(for: .seconds(5))
        let producedAtStop = producer.produced.count
        let signalled = ContinuousClock.now
        let status = try await cluster.stop("p1", signal: SIGTERM, timeout: .seconds(10))
        let stopTime = ContinuousClock.now - signalled
        #expect(status == 0)
        #expect(stopTime < .seconds(2), "stopped in \(stopTime)")
        try await cluster.start("p1")
        try await production.value
        #expect(producedAtStop > 0 && producedAtStop < records.count)
        try await expectOutputsEqualOracle(producer, cluster)
        print("e2e graceful: SIGTERM after \(producedAtStop) records, exited in \(stopTime); caught up in \(ContinuousClock.now - started); \(cluster.counterSummary())")
        #expect(try await cluster.stop("p1", signal: SIGTERM) == 0)
    }

    /// Produces `records` in chunks with a pause after each, on a background thread.
    private func paced(_ records: [GeneratedRecord], chunk: Int, pause: Duration, _ producer: TrafficProducer) -> Task<Void, Error> {
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

    /// Checks the produced input landed where expected and that the traffic
    /// exercises what the tests are meant to show; returns the oracle.
    /// Reads the outputs until they equal the oracle of what `producer` sent
    /// (or 120 s pass) and expects them equal; returns the oracle and the reader.
    @discardableResult
    private func expectOutputsEqualOracle(
        _ producer: TrafficProducer, _ cluster: PipelineCluster, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> (UsageOracle, OutputReader) {
        let oracle = try await expectOracle(producer, cluster)
        let reader = try OutputReader(bootstrap: cluster.bootstrap)
        let comparison = try await cluster.awaitOutputs(reader, equal: oracle, timeout: .seconds(120))
        let audit = comparison.isEmpty ? "" : PipelineAudit.run(bootstrap: cluster.bootstrap, produced: producer.produced)
        #expect(comparison.isEmpty, "\(comparison.summary)\n\(comparison.isEmpty ? "" : cluster.diagnostics())\n\(audit)", sourceLocation: sourceLocation)
        return (oracle, reader)
    }

    /// `meterd_input_event_time_seconds` shows each input partition's
    /// greatest decoded event time (once published: every 100 ms), and the
    /// aggregation partition that got the latest event has a stream time at
    /// least that late.
    private func expectEventTimeGauges(_ produced: [ProducedRecord], _ cluster: PipelineCluster) async throws {
        var latest: [Int32: Int64] = [:]
        for record in produced {
            if case .usage(let event) = record.record.kind { latest[record.partition] = max(latest[record.partition] ?? .min, event.startedAt) }
        }
        let expected = Dictionary(uniqueKeysWithValues: latest.map {
            ("meterd_input_event_time_seconds{partition=\"\(TrafficProducer.topic)[\($0.key)]\"}", Double($0.value) / 1_000)
        })
        var metrics: [String: Double] = [:]
        let deadline = ContinuousClock.now + .seconds(5)
        repeat {
            metrics = cluster.metrics()["p1"] ?? [:]
            if expected.allSatisfy({ metrics[$0.key] == $0.value }) { break }
            try await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now < deadline
        #expect(expected.count == Int(TrafficGenerator.inputPartitions))
        for (name, value) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(metrics[name] == value, "\(name): \(metrics[name].map { "\($0)" } ?? "absent")")
        }
        let streamTimes = metrics.filter { $0.key.hasPrefix("meterd_stream_time_seconds{") }.values
        #expect(streamTimes.count == 6, "one stream time per aggregation partition")
        #expect((streamTimes.max() ?? 0) >= (expected.values.max() ?? .infinity))
    }

    private func expectOracle(_ producer: TrafficProducer, _ cluster: PipelineCluster) async throws -> UsageOracle {
        try producer.verifyOffsets(bootstrap: cluster.bootstrap)
        let oracle = UsageOracle(produced: producer.produced, setup: setup)
        let types = Set(oracle.quota.map(\.type))
        #expect(types == ["quota.threshold", "quota.exceeded", "quota.reset"], "traffic crosses thresholds and periods")
        #expect(Set(oracle.deadLetters.keys.map(\.reason)) == ["malformed_json", "missing_subject", "invalid_value"])
        #expect(oracle.duplicates > 100)
        return oracle
    }
}
