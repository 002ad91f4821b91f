import Foundation
import Testing

/// Bad input against a live `meterd run`: thousands of hostile records
/// (truncated, 100k-deep, over 1 MiB, bad UTF-8 and escapes, non-finite and
/// out-of-range numbers, wrong formats) among valid traffic. Every record
/// must be accounted for — valid ones counted as the oracle says, every other
/// one dead-lettered with its reason and original coordinates and bytes —
/// while the processor stays the same process with bounded memory.
@Suite("meterd run with hostile input, end to end", .serialized, .timeLimit(.minutes(3)))
struct HostileInputPipelineTests {
    let setup = PipelineSetup.standard
    /// Bounds with a wide margin over what a debug build measured here
    /// (peak VmRSS ~42 MiB, state ~0.9 MiB; the test prints both).
    static let maxResidentBytes = 256 << 20
    static let maxStateBytes = 8 << 20

    @Test("2,000 hostile records among 6,000 valid ones: each counted or dead-lettered with its reason; same process; bounded memory")
    func hostileRecordsAreAccountedFor() async throws {
        let cluster = try await PipelineCluster(setup: setup)
        defer { cluster.terminateAll() }
        let base = TrafficGenerator(setup: setup, seed: 41).generate(count: 6_000)
        let records = HostileTraffic(setup: setup, seed: 42).mixed(into: base, count: 2_000)
        var watch = ProcessorWatch(try await cluster.start("p1"))
        let producer = try TrafficProducer(bootstrap: cluster.bootstrap)
        let started = ContinuousClock.now
        let production = pacedProduction(records, chunk: 500, pause: .milliseconds(300), producer)
        var peakResident = 0
        var peakState = 0.0
        func sampleMemory() {
            peakResident = max(peakResident, Self.residentBytes(pid: watch.pid) ?? 0)
            let state = cluster.metrics()["p1"]?.filter { $0.key.hasPrefix("meterd_state_bytes{") }.values.reduce(0, +) ?? 0
            peakState = max(peakState, state)
        }
        while !production.isCancelled, ContinuousClock.now - started < .seconds(90) {
            sampleMemory()
            watch.check("while producing")
            if producer.produced.count == records.count { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        try await production.value
        try producer.verifyOffsets(bootstrap: cluster.bootstrap)
        let oracle = UsageOracle(produced: producer.produced, setup: setup)
        // Originals above maxRecordBytes (1 MiB) are dead-lettered with their
        // bytes: the processor's producer allows 16 MiB (SPEC section 3).
        let oversized = oracle.deadLetters.filter { ($0.value.value?.count ?? 0) > 1_048_576 }.map(\.key)
        let reasons = Dictionary(grouping: oracle.deadLetters.keys, by: \.reason).mapValues(\.count)
        #expect(Set(reasons.keys) == ["malformed_json", "unknown_format", "invalid_time", "invalid_value", "missing_subject", "too_large"], "\(reasons)")
        let reader = try OutputReader(bootstrap: cluster.bootstrap)
        let comparison = try await cluster.awaitOutputs(reader, equal: oracle, timeout: .seconds(90))
        sampleMemory()
        watch.check("outputs compared")
        #expect(comparison.isEmpty, "\(comparison.summary)\n\(comparison.isEmpty ? "" : cluster.diagnostics())")
        #expect(oversized.count == 2 && oversized.allSatisfy { $0.reason == "too_large" })
        #expect(watch.problems.isEmpty, "\(watch.problems)\n\(cluster.diagnostics())")
        #expect(cluster.history.count == 1)
        let metrics = cluster.metrics()["p1"] ?? [:]
        for (reason, count) in reasons {
            let counted = metrics["meterd_dead_letters_total{reason=\"\(reason)\"}"] ?? 0
            #expect(counted >= Double(count), "dead letters counted for \(reason): \(counted), expected \(count)")
        }
        #expect(peakResident > 0 && peakResident < Self.maxResidentBytes, "peak RSS \(peakResident >> 20) MiB")
        #expect(peakState < Double(Self.maxStateBytes), "peak state \(Int(peakState) >> 10) KiB")
        print("e2e hostile: \(records.count) records (\(records.count - base.count) hostile), \(oracle.deadLetters.count) dead letters \(reasons.sorted { $0.key < $1.key }); "
            + "caught up in \(ContinuousClock.now - started); peak RSS \(peakResident >> 20) MiB, peak state \(Int(peakState) >> 10) KiB; \(cluster.counterSummary())")
        #expect(try await cluster.stop("p1", signal: SIGTERM) == 0)
    }

    /// VmRSS of a process from /proc/<pid>/status, in bytes.
    static func residentBytes(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1_024
    }
}
