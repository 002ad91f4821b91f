import MeterdCore
import Testing

/// `extract(…, into:samples:)`, stage 1's path (samples encoded straight
/// from the scanned values, no dimension strings), against extracting the
/// record and encoding it: the same bytes for the repartition topic, the same
/// rejection and the same unpriced readings, record after record.
@Suite struct InputEncodedSamplesTests {
    /// Hostile records, AI records (priced, unpriced, without tokens) and
    /// records with escaped, numeric, boolean and missing groupBy values.
    static func records(count: Int, seed: UInt64) -> [(bytes: [UInt8], headers: [RecordHeader])] {
        var generator = HostileRecordGenerator(seed: seed)
        var random = SeededGenerator(seed: seed ^ 0xC057)
        return (0..<count).map { index in
            let choice = random.next()
            switch choice % 4 {
            case 0:
                return (InputReusedRecordTests.costRecord(choice >> 8, index: index), [])
            case 1:
                return (Array(Self.oddDimensions(choice >> 8, index: index).utf8), [])
            default:
                let hostile = generator.next()
                return (hostile.bytes, hostile.headers)
            }
        }
    }

    /// A Kong record whose groupBy values (method, status, model) are escaped
    /// strings, numbers, booleans, null or missing, by `choice`.
    static func oddDimensions(_ choice: UInt64, index: Int) -> String {
        let methods = [#""GET""#, #""P\u004fST""#, #""caf\u00e9""#, "true", "false", "null", "12.50", "-0", "1e3", #""""#]
        let statuses = ["200", "404.0", #""201""#, "null", "true", "2e2", "1e400"]
        let method = methods[Int(choice % UInt64(methods.count))]
        let status = statuses[Int(choice / 16 % UInt64(statuses.count))]
        let statusMember = choice / 256 % 5 == 0 ? "" : #","status":\#(status)"#
        return #"{"request":{"id":"odd-\#(index)","method":\#(method)},"response":{"size":10\#(statusMember)},"#
            + #""route":{"name":"r\#(choice % 3)"},"consumer":{"username":"acme-web"},"started_at":1735689600000}"#
    }

    @Test("30,000 records: encoded samples give the bytes of encoding the extracted record")
    func encodedSamplesEqualEncodedRecord() throws {
        let extractor = try #require(InputReusedRecordTests.extractor())
        var cache = UsageExtractor.TextCache()
        var directCache = UsageExtractor.TextCache()
        var record = UsageRecord.empty
        var envelope = UsageRecord.empty
        var samples = EncodedSamples()
        var mismatches: [String] = []
        var usages = 0
        var sampleCounts: Set<Int> = []
        for (index, input) in Self.records(count: 30_000, seed: 0xE2C0_DED5).enumerated() {
            var unpriced: [UnpricedUsage] = []
            let rejection = input.bytes.withUnsafeBytes {
                extractor.extract(
                    value: $0, headers: input.headers, recordTimestampMillis: 7, unpriced: &unpriced, cache: &cache, into: &record
                )
            }
            var directUnpriced: [UnpricedUsage] = []
            let directRejection = input.bytes.withUnsafeBytes {
                extractor.extract(
                    value: $0, headers: input.headers, recordTimestampMillis: 7, unpriced: &directUnpriced, cache: &directCache,
                    into: &envelope, samples: &samples
                )
            }
            let problem: String? = switch (rejection, directRejection) {
            case (nil, nil):
                Self.encoded(record) == Self.encoded(envelope, samples: samples) && envelope.samples.isEmpty
                    ? nil : "bytes differ for \(record)"
            case (let rejection?, let direct?):
                rejection.reason == direct.reason && rejection.detail == direct.detail
                    ? nil : "rejections differ: \(rejection.reason.rawValue) (\(rejection.detail)) vs \(direct.reason.rawValue) (\(direct.detail))"
            default:
                "record path \(String(describing: rejection)), encoded path \(String(describing: directRejection))"
            }
            if rejection == nil {
                usages += 1
                sampleCounts.insert(record.samples.count)
            }
            if let problem, mismatches.count < 10 { mismatches.append("#\(index): \(problem)") }
            if unpriced != directUnpriced, mismatches.count < 10 {
                mismatches.append("#\(index): unpriced \(unpriced) vs \(directUnpriced)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        #expect(usages > 10_000, "enough usable records to compare: \(usages)")
        #expect(sampleCounts.count >= 3, "records of several shapes: \(sampleCounts)")
    }

    @Test("the encoded record decodes to the extracted record")
    func encodedRecordDecodes() throws {
        let extractor = try #require(InputReusedRecordTests.extractor())
        var cache = UsageExtractor.TextCache()
        var envelope = UsageRecord.empty
        var samples = EncodedSamples()
        var decoded = 0
        for (index, input) in Self.records(count: 2_000, seed: 0xDEC0DE).enumerated() {
            var unpriced: [UnpricedUsage] = []
            let fresh = input.bytes.withUnsafeBytes {
                extractor.extract(value: $0, headers: input.headers, recordTimestampMillis: 7, unpriced: &unpriced)
            }
            let rejection = input.bytes.withUnsafeBytes {
                extractor.extract(
                    value: $0, headers: input.headers, recordTimestampMillis: 7, unpriced: &unpriced, cache: &cache,
                    into: &envelope, samples: &samples
                )
            }
            guard rejection == nil, let usage = fresh.usage else { continue }
            let bytes = Self.encoded(envelope, samples: samples)
            let roundTrip = try UsageRecordCodec.decode(bytes)
            #expect(roundTrip == usage, "#\(index)")
            decoded += 1
        }
        #expect(decoded > 500)
    }

    @Test("a repartition entry written in one step is its origin fields, then the encoded record")
    func entryIsOriginThenRecord() throws {
        let extractor = try #require(InputReusedRecordTests.extractor())
        var cache = UsageExtractor.TextCache()
        var envelope = UsageRecord.empty
        var samples = EncodedSamples()
        var random = SeededGenerator(seed: 0xE7_7E)
        var compared = 0
        // A shared writer, so entries land after others' bytes as in a batch.
        var entries = BinaryWriter()
        var expected: [UInt8] = []
        for input in Self.records(count: 2_000, seed: 0xE7_7E) {
            var unpriced: [UnpricedUsage] = []
            let rejection = input.bytes.withUnsafeBytes {
                extractor.extract(
                    value: $0, headers: input.headers, recordTimestampMillis: 7, unpriced: &unpriced, cache: &cache,
                    into: &envelope, samples: &samples
                )
            }
            guard rejection == nil else { continue }
            let topic = random.next() % 2 == 0 ? "gateway.usage" : "t"
            let partition = Int32(truncatingIfNeeded: random.next() % 300)
            let offset = Int64(bitPattern: random.next() >> UInt64(random.next() % 64))
            let key: [UInt8]? = switch random.next() % 3 {
            case 0: nil
            case 1: []
            default: (0..<Int(random.next() % 200)).map { UInt8(truncatingIfNeeded: $0) }
            }
            withUnsafeMutablePointer(to: &samples) { lent in
                UsageRecordCodec.encodeEntry(
                    topic: topic, partition: partition, offset: offset, originalKey: key, envelope, lending: lent, into: &entries
                )
            }
            var origin = BinaryWriter()
            origin.write(topic)
            origin.write(zigzag: Int64(partition))
            origin.write(zigzag: offset)
            origin.write(key != nil)
            if let key { origin.write(bytes: key) }
            expected += origin.bytes + Self.encoded(envelope, samples: samples)
            compared += 1
        }
        #expect(compared > 500)
        #expect(entries.bytes == expected)
    }

    @Test("samples longer than the buffer's room grow it and keep the samples before them")
    func longSamplesGrowTheBuffer() throws {
        let extractor = try #require(InputReusedRecordTests.extractor())
        var cache = UsageExtractor.TextCache()
        var record = UsageRecord.empty
        var envelope = UsageRecord.empty
        var samples = EncodedSamples()
        for length in [10, 200, 250, 300, 1_000, 5_000, 20] {
            let model = "\"" + String(repeating: "m", count: length) + "\""
            let json = Array(CostFixtures.kong(model: model, id: "long-\(length)").utf8)
            var unpriced: [UnpricedUsage] = []
            let rejection = json.withUnsafeBytes {
                extractor.extract(value: $0, headers: [], recordTimestampMillis: 7, unpriced: &unpriced, cache: &cache, into: &record)
            }
            let direct = json.withUnsafeBytes {
                extractor.extract(
                    value: $0, headers: [], recordTimestampMillis: 7, unpriced: &unpriced, cache: &cache, into: &envelope, samples: &samples
                )
            }
            #expect(rejection == nil && direct == nil)
            #expect(!record.samples.isEmpty)
            #expect(Self.encoded(record) == Self.encoded(envelope, samples: samples), "model of \(length) bytes")
            #expect(samples.count == record.samples.count && samples.bytes.count == samples.byteCount)
        }
    }

    static func encoded(_ record: UsageRecord) -> [UInt8] {
        var writer = BinaryWriter()
        UsageRecordCodec.encode(record, into: &writer)
        return writer.bytes
    }

    static func encoded(_ record: UsageRecord, samples: EncodedSamples) -> [UInt8] {
        var writer = BinaryWriter()
        UsageRecordCodec.encode(record, samples: samples, into: &writer)
        return writer.bytes
    }
}
