import Foundation
import Testing

/// `meterd replay` as a process against a real processing group on the
/// embedded broker: refused while the group is active; a dry run changes
/// nothing; a replay rebuilds windows with higher revisions and the same
/// values; a bounded replay counts records that arrived too late.
@Suite("meterd replay, end to end", .serialized, .timeLimit(.minutes(4)))
struct ReplayCommandTests {
    let setup = PipelineSetup.standard

    @Test("replay: refused while active, dry run, same values with higher revisions, late data corrected")
    func replayRebuildsWindows() async throws {
        let cluster = try await PipelineCluster(setup: setup)
        defer { cluster.terminateAll() }
        let records = TrafficGenerator(setup: setup, seed: 8).generate(count: 6_000)
        try await cluster.start("p1")
        let producer = try TrafficProducer(bootstrap: cluster.bootstrap)
        try await onThread { try producer.send(records[...]) }
        let oracle = UsageOracle(produced: producer.produced, setup: setup)
        let before = try OutputReader(bootstrap: cluster.bootstrap)
        let first = try await cluster.awaitOutputs(before, equal: oracle, timeout: .seconds(90))
        #expect(first.isEmpty, "\(first.summary)")

        // Refused while the group is committing (the embedded broker cannot list members).
        let midpoint = TrafficGenerator.baseMillis + 5 * 60_000
        let refused = try await replay(cluster, ["--from", "\(midpoint)", "--idle-for", "10m"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("stop every `meterd run`"), "\(refused.stderr)")
        #expect(try await cluster.stop("p1", signal: SIGTERM) == 0)

        let dryRun = try await replay(cluster, ["--from", "\(midpoint)", "--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout.contains("dry run: nothing changed"))
        #expect(dryRun.stdout.contains("records re-read"))
        #expect(dryRun.stdout.contains("re-emitted revisions above"))

        let replayed = try await replay(cluster, ["--from", "\(midpoint)"])
        #expect(replayed.status == 0, "\(replayed.stderr)")
        #expect(replayed.stdout.contains("replay planned"), "\(replayed.stdout)")
        try await cluster.start("p1")
        let after = try OutputReader(bootstrap: cluster.bootstrap)
        let rebuiltFrom = midpoint - midpoint % 60_000
        // The rebuilt windows close as stream time passes them again (the last ones by idle advance).
        let rebuildDeadline = ContinuousClock.now + .seconds(60)
        func pending() -> Int {
            before.rollups.filter { key, old in
                (Int64(key.split(separator: "/")[2]) ?? 0) >= rebuiltFrom && (after.rollups[key]?.revision ?? 0) <= old.revision
            }.count
        }
        while pending() > 0, ContinuousClock.now < rebuildDeadline { after.poll(for: .milliseconds(500)) }
        let second = try await cluster.awaitOutputs(after, equal: oracle, timeout: .seconds(90))
        #expect(second.isEmpty, "after the replay: \(second.summary)\n\(second.isEmpty ? "" : cluster.diagnostics())")
        var raised = 0
        for (key, rollup) in after.rollups {
            let old = try #require(before.rollups[key])
            let windowStart = Int64(key.split(separator: "/")[2]) ?? 0
            if windowStart >= rebuiltFrom {
                #expect(rollup.revision > old.revision, "\(key) rebuilt: revision \(old.revision) → \(rollup.revision)")
                raised += 1
            } else {
                #expect(rollup.revision == old.revision, "\(key) before --from is not re-emitted")
            }
        }
        #expect(raised > 0)
        #expect(cluster.metrics()["p1"]?["meterd_replay_skipped_events_total"] ?? 0 > 0, "records before --from were skipped")

        // A gateway outage: records of two hours earlier arrive now, beyond allowedLateness (1h).
        let outage = TrafficGenerator.baseMillis - 2 * 3_600_000
        let late = lateRecords(at: outage, count: 12, like: records)
        try await onThread { try producer.send(late[...]) }
        let withLate = UsageOracle(produced: producer.produced, setup: setup)
        let tooLate = try OutputReader(bootstrap: cluster.bootstrap)
        let deadline = ContinuousClock.now + .seconds(30)
        while tooLate.deadLetters.keys.filter({ $0.reason == "too_late" }).count < late.count, ContinuousClock.now < deadline {
            tooLate.poll(for: .milliseconds(500))
        }
        #expect(tooLate.deadLetters.keys.filter { $0.reason == "too_late" }.count == late.count)
        // Decided in stage 2, after repartitioning: the dead letter still carries the original record.
        for produced in producer.produced.suffix(late.count) {
            let identity = DeadLetterIdentity(reason: "too_late", topic: "gateway.usage", partition: produced.partition, offset: produced.offset)
            #expect(tooLate.deadLetters[identity]?.value == produced.record.bytes, "\(identity) carries the original bytes")
            #expect(tooLate.deadLetters[identity]?.key == produced.record.key)
        }
        #expect(try await cluster.stop("p1", signal: SIGTERM) == 0)

        let bounded = try await replay(cluster, ["--from", "\(outage - 60_000)", "--to", "\(outage + 60_000)"])
        #expect(bounded.status == 0, "\(bounded.stderr)")
        try await cluster.start("p1")
        let corrected = try OutputReader(bootstrap: cluster.bootstrap)
        // Everything equals the oracle that counts the late records; the only
        // differences left are their historical too_late dead letters.
        var third = OutputComparison(reader: corrected, oracle: withLate)
        var lines: [Substring] = []
        let correctedDeadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < correctedDeadline {
            corrected.poll(for: .milliseconds(500))
            third = OutputComparison(reader: corrected, oracle: withLate)
            lines = Array(third.summary.split(separator: "\n").dropFirst())
            if third.differenceCount == late.count, lines.allSatisfy({ $0.hasPrefix("unexpected dead letter too_late") }) { break }
        }
        #expect(third.differenceCount == late.count, "\(third.summary)")
        #expect(lines.allSatisfy { $0.hasPrefix("unexpected dead letter too_late") }, "\(third.summary)")
        #expect(try await cluster.stop("p1", signal: SIGTERM) == 0)
    }

    /// Usable records with event times at `millis`, for configured subjects.
    private func lateRecords(at millis: Int64, count: Int, like records: [GeneratedRecord]) -> [GeneratedRecord] {
        (0..<count).map { index in
            let subject = setup.customers[index % 10].subjects[0]
            let event = KongEvent(requestId: "outage-\(index)", startedAt: millis + Int64(index) * 1_000, subject: subject, route: "chat", status: 200, ai: nil)
            return GeneratedRecord(kind: .usage(event), bytes: Array(event.json.utf8), partition: Int32(index % 6), key: Array("late-\(index)".utf8))
        }
    }

    private func replay(_ cluster: PipelineCluster, _ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let process = try MeterdProcess(["replay", "-c", cluster.configPath, "--bootstrap", cluster.bootstrap, "--idle-for", "0s"] + arguments)
        let status = try await process.waitForExit(timeout: .seconds(90))
        return (status, process.stdoutLines.joined(separator: "\n"), process.stderr)
    }
}
