import MeterdCore
import Testing

/// 100,000 seeded hostile records (and valid ones among them) through the
/// stage-1 decoder: none may crash it, each must give usage or a reject
/// reason, and each must give what the generator expects.
@Suite struct HostileInputFuzzTests {
    @Test("100,000 hostile records: no crash, each gives usage or a reason, and the one expected; bounded time")
    func hostileRecords() throws {
        let extractor = try #require(InputFixtures.extractor(maxRecordBytes: HostileRecordGenerator.maxRecordBytes))
        var generator = HostileRecordGenerator(seed: 0xBAD_1DEA)
        var byKind: [String: Int] = [:]
        var outcomes: [String: Int] = [:]
        var mismatches: [String] = []
        var bytesDecoded = 0
        let started = ContinuousClock.now
        for index in 0..<100_000 {
            let record = generator.next()
            bytesDecoded += record.bytes.count
            let result = extractor.extract(value: record.bytes, headers: record.headers, recordTimestampMillis: record.timestamp)
            byKind[record.kind, default: 0] += 1
            outcomes[result.rejectReason?.rawValue ?? "usage", default: 0] += 1
            if let problem = Self.mismatch(result, record.expected), mismatches.count < 20 {
                let preview = String(decoding: record.bytes.prefix(160), as: UTF8.self)
                mismatches.append("#\(index) \(record.kind): \(problem) — \(preview)")
            }
        }
        let elapsed = ContinuousClock.now - started
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        #expect(Set(byKind.keys) == Set(HostileRecordGenerator.kinds), "every kind was generated")
        #expect(Set(outcomes.keys) == Set(RejectReason.allCases.map(\.rawValue) + ["usage"]).subtracting(["too_late", "unknown_subject"]),
                "every stage-1 reason occurred: \(outcomes)")
        #expect(elapsed < .seconds(30), "took \(elapsed)")
        print("fuzz: 100000 records (\(bytesDecoded / 1_000_000) MB) in \(elapsed); outcomes \(outcomes.sorted { $0.key < $1.key })")
    }

    @Test("unknown subjects are rejected when the policy says so, whatever else is hostile about the record")
    func unknownSubjectPolicy() throws {
        let strict = try #require(InputFixtures.extractor(
            customers: [CustomerDefinition(key: "acme", subjects: ["acme-web"])], unknownSubjects: .reject
        ))
        let known = HostileRecordGenerator.kong(subject: "acme-web", id: "k", time: "1700000000000", route: "r", status: "200", tokens: "5")
        let stranger = HostileRecordGenerator.kong(subject: "stranger", id: "s", time: "1700000000000", route: "r", status: "200", tokens: "5")
        #expect(strict.extract(known.json).usage?.customer == "acme")
        #expect(strict.extract(stranger.json).rejectReason == .unknownSubject)
        let badTokens = HostileRecordGenerator.kong(subject: "stranger", id: "s", time: "1700000000000", route: "r", status: "200", tokens: "true")
        #expect(strict.extract(badTokens.json).rejectReason == .unknownSubject, "customer resolution comes before meter values")
    }

    /// Why `result` is not what was expected, or nil.
    static func mismatch(_ result: ExtractionResult, _ expected: HostileRecord.Expectation) -> String? {
        switch (expected, result) {
        case (.anything, _):
            return nil
        case (.usage(let usage), .usage(let actual)):
            return usage == actual ? nil : "usage differs: expected \(usage), got \(actual)"
        case (.rejected(let reason), .rejected(let actual, let detail)):
            return reason == actual ? nil : "expected \(reason.rawValue), got \(actual.rawValue) (\(detail))"
        case (.oneOf(let usages, let reasons), _):
            if let usage = result.usage, usages.contains(usage) { return nil }
            if let reason = result.rejectReason, reasons.contains(reason) { return nil }
            return "got \(result), none of the accepted outcomes"
        default:
            return "expected \(expected), got \(result)"
        }
    }
}
