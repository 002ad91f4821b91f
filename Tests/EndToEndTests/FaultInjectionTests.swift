import Foundation
import Testing

/// `meterd run` under broker faults injected while Kong traffic is produced:
/// transient request errors on the transactional path and on the group
/// protocol, and a rolling restart of a 3-broker cluster. The processor must
/// ride them out as the same process (no exit, no restart) and its outputs
/// must still equal the oracle (latest rollups, quota event set, dead
/// letters by reason and coordinates; on the embedded broker duplicates are
/// tolerated only as identical ids or superseded revisions).
///
/// Faults go through `meterd broker --faults-from-stdin`: the mock cluster
/// lives in the broker process, and the test drives it exactly as a user's
/// chaos script would. Injected errors hit the next requests of that type
/// from any client (the processor's consumer, producer and restore readers,
/// and the test's own idempotent producer), which is what a flaky broker does.
@Suite("meterd run under injected broker faults", .serialized, .timeLimit(.minutes(4)))
struct FaultInjectionTests {
    let setup = PipelineSetup.standard

    @Test("transient errors on Produce, Fetch, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit and EndTxn: same process, outputs equal the oracle")
    func transactionalPathErrors() async throws {
        try await runUnderFaults(label: "txn-path", seed: 31, brokers: 1, schedule: [
            FaultStep(after: .milliseconds(1_500), commands: ["fail Produce 3 NOT_ENOUGH_REPLICAS", "fail Produce 2 NOT_LEADER_FOR_PARTITION"]),
            FaultStep(after: .milliseconds(3_000), commands: ["fail Fetch 3 NOT_LEADER_FOR_PARTITION", "fail Fetch 2 REQUEST_TIMED_OUT"]),
            FaultStep(after: .milliseconds(4_500), commands: ["fail AddPartitionsToTxn 2 CONCURRENT_TRANSACTIONS", "fail AddPartitionsToTxn 1 COORDINATOR_NOT_AVAILABLE"]),
            FaultStep(after: .milliseconds(6_000), commands: ["fail AddOffsetsToTxn 2 CONCURRENT_TRANSACTIONS"]),
            FaultStep(after: .milliseconds(7_500), commands: ["fail TxnOffsetCommit 2 COORDINATOR_NOT_AVAILABLE", "fail TxnOffsetCommit 1 REQUEST_TIMED_OUT"]),
            FaultStep(after: .milliseconds(9_000), commands: ["fail EndTxn 2 COORDINATOR_NOT_AVAILABLE", "fail EndTxn 1 CONCURRENT_TRANSACTIONS"]),
        ])
    }

    @Test("transient errors on Heartbeat, JoinGroup, SyncGroup and FindCoordinator force rejoins: same process, outputs equal the oracle")
    func groupProtocolErrors() async throws {
        // JoinGroup/SyncGroup errors are queued first; the Heartbeat error
        // then makes the member rejoin, which meets them.
        try await runUnderFaults(label: "group", seed: 32, brokers: 1, completedRejoins: 1, schedule: [
            FaultStep(after: .milliseconds(2_000), commands: [
                "fail JoinGroup 2 COORDINATOR_NOT_AVAILABLE", "fail SyncGroup 1 REBALANCE_IN_PROGRESS",
                "fail Heartbeat 1 REBALANCE_IN_PROGRESS",
            ]),
            FaultStep(after: .milliseconds(6_000), commands: [
                "fail FindCoordinator 2 COORDINATOR_NOT_AVAILABLE", "fail Heartbeat 2 NOT_COORDINATOR",
            ]),
            FaultStep(after: .milliseconds(9_000), commands: [
                "fail SyncGroup 1 COORDINATOR_NOT_AVAILABLE", "fail JoinGroup 1 REQUEST_TIMED_OUT",
                "fail Heartbeat 1 REBALANCE_IN_PROGRESS",
            ]),
        ])
    }

    /// With one broker, "down" is a total outage; with three, taking each
    /// down in turn (3 s, the mock cluster moves no leaders) is a rolling
    /// restart: every partition leader and, at some point, the group and
    /// transaction coordinators go away and come back while traffic flows.
    @Test("rolling restart of a 3-broker cluster (each broker down 3 s, then up): same process, outputs equal the oracle")
    func rollingBrokerRestart() async throws {
        var schedule: [FaultStep] = []
        for broker in 1...3 {
            let down = Duration.milliseconds(1_500 + (broker - 1) * 5_000)
            schedule.append(FaultStep(after: down, commands: ["down \(broker)"]))
            schedule.append(FaultStep(after: down + .seconds(3), commands: ["up \(broker)"]))
        }
        try await runUnderFaults(label: "rolling", seed: 33, brokers: 3, schedule: schedule)
    }

    @Test("meterd broker --faults-from-stdin answers each command with ok or a plain error")
    func faultCommandsAreAnswered() async throws {
        let broker = try MeterdProcess(["broker", "--brokers", "2", "--faults-from-stdin"], standardInput: true)
        defer { if broker.process.isRunning { kill(broker.process.processIdentifier, SIGKILL) } }
        _ = try await broker.waitForLines(1)
        let commands = [
            "fail Produce 3 NOT_ENOUGH_REPLICAS", "# a comment", "", "fail txnoffsetcommit 1 request_timed_out",
            "down 2", "up 2", "rtt 1 5", "leader gateway.usage 0 2", "clear Produce",
            "fail Produce 1 _TRANSPORT", "fail Nope 1 NOT_ENOUGH_REPLICAS", "down 9", "explode",
        ]
        for command in commands { try broker.writeLine(command) }
        let answers = Array(try await broker.waitForLines(12).dropFirst())
        #expect(answers.prefix(7) == [
            "ok fail Produce 3 NOT_ENOUGH_REPLICAS", "ok fail txnoffsetcommit 1 request_timed_out", "ok down 2", "ok up 2",
            "ok rtt 1 5", "ok leader gateway.usage 0 2", "ok clear Produce",
        ])
        #expect(answers.dropFirst(7).allSatisfy { $0.hasPrefix("error: ") }, "\(answers)")
        #expect(answers.last?.contains("expected 'fail <Api> <count> <ERROR>'") == true)
        #expect(try await broker.stop(signal: SIGTERM) == 0)
    }

    /// Starts one processor, produces 10k seeded records in paced chunks
    /// while `schedule` injects faults, then checks the processor stayed
    /// the same process and its outputs equal the oracle.
    /// - Parameter completedRejoins: rejoins the faults must force and the
    ///   group must complete (each calls the cooperative rebalance listener
    ///   again, logged as "partitions assigned"); on the mock cluster each
    ///   successful JoinGroup of a rejoin takes ~5 s, so this waits up to 45 s.
    private func runUnderFaults(label: String, seed: UInt64, brokers: Int, completedRejoins: Int = 0, schedule: [FaultStep]) async throws {
        let cluster = try await PipelineCluster(setup: setup, brokerArguments: ["--brokers", "\(brokers)", "--faults-from-stdin"])
        defer { cluster.terminateAll() }
        // The mock cluster answers a rejoining member's JoinGroup only after
        // the rebalance timeout (max.poll.interval.ms, default 300 s); real
        // Kafka answers at once when every member rejoined. 10 s keeps a
        // forced rejoin observable within the test.
        try cluster.addKafkaProperties(["max.poll.interval.ms": "10000"])
        let faults = BrokerFaultControl(broker: cluster.broker)
        let records = TrafficGenerator(setup: setup, seed: seed).generate(count: 10_000)
        var watch = ProcessorWatch(try await cluster.start("p1"))
        try await cluster.awaitReady(timeout: .seconds(40))
        let producer = try TrafficProducer(bootstrap: cluster.bootstrap)
        let started = ContinuousClock.now
        let production = pacedProduction(records, chunk: 400, pause: .milliseconds(450), producer)
        for step in schedule {
            try await Task.sleep(until: started + step.after, clock: .continuous)
            watch.check("before \(step.commands)")
            try await faults.inject(step.commands)
        }
        let producedDuringFaults = producer.produced.count
        try await production.value
        watch.check("end of production")
        try producer.verifyOffsets(bootstrap: cluster.bootstrap)
        let oracle = UsageOracle(produced: producer.produced, setup: setup)
        #expect(!oracle.quota.isEmpty && !oracle.deadLetters.isEmpty && oracle.duplicates > 50, "traffic exercises quotas, dead letters and dedupe")
        let reader = try OutputReader(bootstrap: cluster.bootstrap)
        let comparison = try await cluster.awaitOutputs(reader, equal: oracle, timeout: .seconds(120))
        watch.check("outputs compared")
        #expect(comparison.isEmpty, "\(comparison.summary)\n\(comparison.isEmpty ? "" : cluster.diagnostics())")
        #expect(watch.problems.isEmpty, "\(watch.problems)\n\(cluster.diagnostics())")
        #expect(cluster.history.count == 1, "the processor was never restarted")
        let warnings = cluster.logLines(of: "p1", containing: " error ").count + cluster.logLines(of: "p1", containing: " warning ").count
        print("e2e faults \(label): \(schedule.count) fault steps while producing (\(producedDuringFaults) of \(records.count) records sent by the last); "
            + "caught up in \(ContinuousClock.now - started); \(warnings) warning/error log lines; \(cluster.counterSummary())")
        if ProcessInfo.processInfo.environment["METERD_E2E_DIAGNOSTICS"] != nil { print(cluster.diagnostics()) }
        if completedRejoins > 0 {
            let deadline = ContinuousClock.now + .seconds(45)
            while cluster.logLines(of: "p1", containing: "partitions assigned").count < 1 + completedRejoins, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(250))
            }
            let assignments = cluster.logLines(of: "p1", containing: "partitions assigned").count
            #expect(assignments >= 1 + completedRejoins, "the faults forced \(completedRejoins) completed rejoin(s): \(assignments) assignment callbacks")
            watch.check("rejoins completed")
            #expect(watch.problems.isEmpty, "\(watch.problems)")
        }
        #expect(try await cluster.stop("p1", signal: SIGTERM) == 0)
    }
}
