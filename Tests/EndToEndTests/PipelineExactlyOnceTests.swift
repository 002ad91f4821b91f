import Foundation
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
        let cluster = try await PipelineCluster(setup: setup)
        defer { cluster.terminateAll() }
        let records = TrafficGenerator(setup: setup, seed: 1).generate(count: 20_000)
        try await cluster.start("p1")
        let producer = try TrafficProducer(bootstrap: cluster.bootstrap)
        let started = ContinuousClock.now
        try await onThread { try producer.send(records[...]) }
        let oracle = try await expectOracle(producer, cluster)
        let reader = try OutputReader(bootstrap: cluster.bootstrap)
        let comparison = try await cluster.awaitOutputs(reader, equal: oracle, timeout: .seconds(120))
        #expect(comparison.isEmpty, "\(comparison.summary)")
        print("e2e basic: \(records.count) records, \(oracle.rollups.count) rollups, \(oracle.quota.count) quota events, \(oracle.deadLetters.count) dead letters; caught up in \(ContinuousClock.now - started); \(reader.recordCount) output records read")
        #expect(try await cluster.stop("p1", signal: SIGTERM) == 0)
    }

    /// Checks the produced input landed where expected and that the traffic
    /// exercises what the tests are meant to show; returns the oracle.
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
