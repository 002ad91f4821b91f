import MeterdCore
import Testing

/// `UsageRecordDecoder` (decoding into a reused record) against the one-shot
/// `UsageRecordCodec.decode`.
@Suite struct UsageRecordDecoderTests {
    /// Records with varying sample and dimension counts, long (heap) and
    /// short strings, repeated and fresh dimension values, invalid UTF-8.
    static func records(count: Int, seed: UInt64) -> [UsageRecord] {
        var random = SeededGenerator(seed: seed)
        let repeated = ["gpt-4o-2024-08-06", "claude-3-5-sonnet-20241022", "/v1/chat/completions", "200", "openai", ""]
        func text() -> String {
            switch random.next() % 4 {
            case 0: repeated[Int(random.next() % UInt64(repeated.count))]
            case 1: "fresh-value-longer-than-fifteen-\(random.next() % 1_000)"
            case 2: String(decoding: [0x61, 0xFF, 0xC3, 0x28] + Array(repeating: 0x62, count: Int(random.next() % 20)), as: UTF8.self)
            default: String(random.next() % 100_000, radix: 36)
            }
        }
        return (0..<count).map { index in
            let samples = (0..<Int(random.next() % 5)).map { _ in
                MeterSample(
                    meterIndex: Int(random.next() % 8),
                    value: [SampleValue.none, .number(Double(random.next() % 10_000) / 8), .text(text())][Int(random.next() % 3)],
                    dimensions: (0..<Int(random.next() % 4)).map { _ in random.next() % 3 == 0 ? nil : text() }
                )
            }
            return UsageRecord(
                customer: text(), subject: text(), source: "kong", id: "0f3e8a1c-5d2b-4e7a-9c61-\(index)",
                eventTimeMillis: Int64(bitPattern: random.next()) >> 20, samples: samples
            )
        }
    }

    @Test("decoding a stream into one reused record gives what decoding each alone gives")
    func reusedRecordMatchesOneShotDecode() throws {
        let records = Self.records(count: 400, seed: 11)
        var writer = BinaryWriter()
        for record in records { UsageRecordCodec.encode(record, into: &writer) }
        var reader = BinaryReader(writer.bytes)
        var decoder = UsageRecordDecoder()
        var reused = UsageRecord.empty
        for record in records {
            try decoder.decode(from: &reader, into: &reused)
            #expect(reused == record)
            #expect(reused == (try UsageRecordCodec.decode(UsageRecordCodec.encode(record))))
        }
        let atEnd = reader.isAtEnd
        #expect(atEnd)
    }

    @Test("a record the caller kept does not change when the next one is decoded into its storage")
    func keptRecordsStayUnchanged() throws {
        let records = Self.records(count: 60, seed: 5)
        var writer = BinaryWriter()
        for record in records { UsageRecordCodec.encode(record, into: &writer) }
        var reader = BinaryReader(writer.bytes)
        var decoder = UsageRecordDecoder()
        var reused = UsageRecord.empty
        var kept: [UsageRecord] = []
        var keptDimensions: [[String?]] = []
        for _ in records {
            try decoder.decode(from: &reader, into: &reused)
            kept.append(reused)
            keptDimensions.append(reused.samples.first?.dimensions ?? [])
        }
        #expect(kept == records)
        #expect(keptDimensions == records.map { $0.samples.first?.dimensions ?? [] })
    }

    @Test("the reusing decoder throws exactly where and what decode throws, for every truncation and many corruptions")
    func reusingDecoderAgreesWithDecode() {
        var random = SeededGenerator(seed: 9)
        for record in Self.records(count: 30, seed: 3) {
            let bytes = UsageRecordCodec.encode(record)
            var variants = (0...bytes.count).map { Array(bytes[..<$0]) }
            for _ in 0..<200 {
                var corrupt = bytes
                corrupt[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                variants.append(corrupt)
            }
            for variant in variants {
                let decoded = Self.outcome(variant) { reader throws(BinaryDecodingError) in _ = try UsageRecordCodec.decode(from: &reader) }
                var decoder = UsageRecordDecoder()
                var reused = UsageRecord.empty
                #expect(Self.outcome(variant) { reader throws(BinaryDecodingError) in try decoder.decode(from: &reader, into: &reused) } == decoded)
            }
        }
    }

    /// The error thrown, or the offset reached.
    static func outcome(_ bytes: [UInt8], _ body: (inout BinaryReader) throws(BinaryDecodingError) -> Void) -> String {
        var reader = BinaryReader(bytes)
        do {
            try body(&reader)
            return "offset \(reader.offset)"
        } catch {
            return "\(error)"
        }
    }

    @Test("a repeated string decodes to the same value as a fresh one, invalid UTF-8 repaired alike")
    func repeatedStringsDecodeAlike() throws {
        let values: [[UInt8]] = [
            Array("gpt-4o-2024-08-06".utf8), Array("gpt-4o-2024-08-07".utf8), Array("short".utf8),
            [0xFF, 0xFE] + Array(repeating: 0x41, count: 30), [0xC3] + Array(repeating: 0x41, count: 16),
            // Same length, first and last 8 bytes: the same cache slot, told apart by the bytes between.
            Array("aaaaaaaaXaaaaaaaa".utf8), Array("aaaaaaaaYaaaaaaaa".utf8), Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8), [],
        ]
        var writer = BinaryWriter()
        for _ in 0..<3 { for value in values { writer.write(bytes: value) } }
        var reader = BinaryReader(writer.bytes)
        var decoder = UsageRecordDecoder()
        for _ in 0..<3 {
            for value in values {
                let decoded = try decoder.readString(from: &reader)
                #expect(decoded == String(decoding: value, as: UTF8.self))
            }
        }
    }

    @Test("the one-step encoding is byte for byte BinaryWriter's field-by-field encoding (format 1 unchanged)")
    func encodingMatchesFieldByFieldWriter() {
        var records = Self.records(count: 300, seed: 21)
        let long = String(repeating: "é", count: 200)
        records.append(UsageRecord(
            customer: long, subject: "", source: "k", id: String(repeating: "x", count: 20_000), eventTimeMillis: .min,
            samples: [MeterSample(meterIndex: Int(Int32.max), value: .text(long), dimensions: [long, nil, ""])]
        ))
        records.append(UsageRecord(customer: "c", subject: "s", source: "k", id: "i", eventTimeMillis: .max, samples: []))
        for record in records {
            var expected = BinaryWriter()
            expected.write(UsageRecordCodec.version)
            for text in [record.customer, record.subject, record.source, record.id] { expected.write(text) }
            expected.write(zigzag: record.eventTimeMillis)
            expected.write(varint: UInt64(record.samples.count))
            for sample in record.samples {
                expected.write(varint: UInt64(sample.meterIndex))
                switch sample.value {
                case .none: expected.write(UInt8(0))
                case .number(let number): expected.write(UInt8(1)); expected.write(number)
                case .text(let text): expected.write(UInt8(2)); expected.write(text)
                }
                expected.write(varint: UInt64(sample.dimensions.count))
                for dimension in sample.dimensions { expected.write(dimension) }
            }
            #expect(UsageRecordCodec.encode(record) == expected.bytes)
            var appended = BinaryWriter()
            appended.write(UInt8(7))
            UsageRecordCodec.encode(record, into: &appended)
            #expect(appended.bytes == [7] + expected.bytes)
        }
    }
}
