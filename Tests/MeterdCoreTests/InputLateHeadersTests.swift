@testable import MeterdCore
import Testing

/// `extract(value:lateHeaders:…)` reads the headers after decoding the value
/// and decodes again only for CloudEvents binary mode: for every record it
/// must give what passing the headers up front gives (usage, reject reason
/// and detail, unpriced readings, encoded samples), and ask for the headers
/// exactly once (never for a value rejected as too large); and so must the
/// same decoding in place (`zeroFollowsValue`), with hostile bytes after the 0.
@Suite struct InputLateHeadersTests {
    struct Outcome: Equatable {
        var rejection: Rejection?
        var record: UsageRecord?
        var unpriced: [UnpricedUsage]
        var samples: [UInt8]?
    }

    /// Decodes one record with the headers up front or late, into `samples`
    /// when `encoded` (reused from record to record, as stage 1 does).
    /// With `inPlaceTail`, late only: the value is followed by a 0 and that
    /// tail, and decoded where it lies (`zeroFollowsValue`).
    static func decode(
        _ extractor: UsageExtractor, _ bytes: [UInt8], _ headers: [RecordHeader], late: Bool, encoded: Bool,
        inPlaceTail: [UInt8]? = nil, samples: inout EncodedSamples
    ) -> (outcome: Outcome, calls: Int) {
        var record = UsageRecord.empty
        var unpriced: [UnpricedUsage] = []
        var cache = UsageExtractor.TextCache.none
        var calls = 0
        let lateHeaders = { () -> [RecordHeader] in
            calls += 1
            return headers
        }
        let inPlace = inPlaceTail != nil && !bytes.isEmpty
        let buffer = inPlace ? bytes + [0] + inPlaceTail! : bytes
        let rejection = buffer.withUnsafeBytes { whole -> Rejection? in
            let value = UnsafeRawBufferPointer(rebasing: whole[..<bytes.count])
            if inPlace {
                return encoded
                    ? extractor.extract(value: value, zeroFollowsValue: true, lateHeaders: lateHeaders, recordTimestampMillis: 5,
                                        unpriced: &unpriced, cache: &cache, into: &record, samples: &samples)
                    : extractor.extract(value: value, zeroFollowsValue: true, lateHeaders: lateHeaders, recordTimestampMillis: 5,
                                        unpriced: &unpriced, cache: &cache, into: &record)
            }
            switch (late, encoded) {
            case (false, false):
                return extractor.extract(value: value, headers: headers, recordTimestampMillis: 5, unpriced: &unpriced, cache: &cache, into: &record)
            case (false, true):
                return extractor.extract(value: value, headers: headers, recordTimestampMillis: 5, unpriced: &unpriced, cache: &cache,
                                         into: &record, samples: &samples)
            case (true, false):
                return extractor.extract(value: value, lateHeaders: lateHeaders, recordTimestampMillis: 5, unpriced: &unpriced, cache: &cache,
                                         into: &record)
            case (true, true):
                return extractor.extract(value: value, lateHeaders: lateHeaders, recordTimestampMillis: 5, unpriced: &unpriced, cache: &cache,
                                         into: &record, samples: &samples)
            }
        }
        let outcome = Outcome(rejection: rejection, record: rejection == nil ? record : nil, unpriced: unpriced,
                              samples: encoded && rejection == nil ? samples.bytes : nil)
        return (outcome, calls)
    }

    @Test("hostile and valid records, with and without headers, decode the same late as up front", arguments: [false, true])
    func sameOutcome(encoded: Bool) throws {
        let extractor = try #require(InputFixtures.extractor(maxRecordBytes: HostileRecordGenerator.maxRecordBytes))
        var generator = HostileRecordGenerator(seed: 0x1A7E)
        // A binary-mode event whose data is itself a valid Kong record (headers
        // decide), and a Kong record with headers that are not CloudEvents'.
        let kong = HostileRecordGenerator.kong(subject: "acme-web", id: "k-1", time: "1700000000000", route: "r", status: "200", tokens: "5")
        let binaryKong = HostileRecordGenerator.binaryHeaders(id: "b-1", subject: "globex", time: "2024-02-01T00:00:00Z")
        var records: [(bytes: [UInt8], headers: [RecordHeader])] = [
            (Array(kong.json.utf8), binaryKong),
            (Array(kong.json.utf8), [RecordHeader(key: "traceparent", string: "00-abc-def-01")]),
            (Array(kong.json.utf8), []),
        ]
        for _ in 0..<4_000 {
            let record = generator.next()
            records.append((record.bytes, record.headers))
        }
        var binary = 0
        var differences: [String] = []
        var upFrontSamples = EncodedSamples()
        var lateSamples = EncodedSamples()
        var inPlaceSamples = EncodedSamples()
        var random = SeededGenerator(seed: 0x0_7A11)
        for (index, record) in records.enumerated() {
            let expected = Self.decode(extractor, record.bytes, record.headers, late: false, encoded: encoded, samples: &upFrontSamples).outcome
            let (actual, calls) = Self.decode(extractor, record.bytes, record.headers, late: true, encoded: encoded, samples: &lateSamples)
            // In place, with bytes after the 0 that would mean something to a walk reading past it.
            let tail = InputScannerInPlaceTests.tail(&random)
            let (inPlace, inPlaceCalls) = Self.decode(
                extractor, record.bytes, record.headers, late: true, encoded: encoded, inPlaceTail: tail, samples: &inPlaceSamples
            )
            if record.headers.contains(where: { $0.key == "ce_specversion" }) { binary += 1 }
            let expectedCalls = expected.rejection?.reason == .tooLarge ? 0 : 1
            if (actual != expected || calls != expectedCalls), differences.count < 10 {
                differences.append("#\(index) (\(calls) calls): expected \(expected), got \(actual)")
            }
            if (inPlace != expected || inPlaceCalls != expectedCalls), differences.count < 10 {
                differences.append("#\(index) in place (\(inPlaceCalls) calls): expected \(expected), got \(inPlace)")
            }
        }
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
        #expect(binary > 100, "binary-mode records among them: \(binary)")
        var scratch = EncodedSamples()
        let first = Self.decode(extractor, records[0].bytes, records[0].headers, late: true, encoded: false, samples: &scratch).outcome
        #expect(first.record?.subject == "globex" && first.record?.id == "b-1", "the headers decide: \(first)")
    }

    @Test("unpriced readings of the first decoding are dropped when the headers select binary mode")
    func unpricedReadingsFollowTheHeaders() throws {
        let extractor = try #require(CostFixtures.extractor())
        let unpricedKong = Array(CostFixtures.kong(model: #""mystery-model""#).utf8)
        let otherType = HostileRecordGenerator.binaryHeaders(id: "b-2", subject: "acme-web", time: "2024-02-01T00:00:00Z")
            .map { $0.key == "ce_type" ? RecordHeader(key: "ce_type", string: "other.type") : $0 }
        var samples = EncodedSamples()
        for headers in [[], otherType] {
            let expected = Self.decode(extractor, unpricedKong, headers, late: false, encoded: false, samples: &samples).outcome
            let (actual, calls) = Self.decode(extractor, unpricedKong, headers, late: true, encoded: false, samples: &samples)
            #expect(actual == expected && calls == 1, "headers \(headers): expected \(expected), got \(actual)")
            #expect(expected.unpriced.isEmpty == !headers.isEmpty, "\(expected.unpriced)")
        }
    }
}
