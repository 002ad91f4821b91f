import MeterdCore
import Testing

@Suite struct InputUsageRecordCodecTests {
    static let record = UsageRecord(
        customer: "acme", subject: "acme-web", source: "kong", id: "req-ü-1", eventTimeMillis: -1_234,
        samples: [
            MeterSample(meterIndex: 0, value: .none, dimensions: ["chat", nil]),
            MeterSample(meterIndex: 300, value: .number(-0.25), dimensions: []),
            MeterSample(meterIndex: 2, value: .text("user-7"), dimensions: [nil, "", "x"]),
        ]
    )

    @Test func roundTrips() throws {
        #expect(try UsageRecordCodec.decode(UsageRecordCodec.encode(Self.record)) == Self.record)
        let empty = UsageRecord(customer: "", subject: "", source: "", id: "", eventTimeMillis: .max, samples: [])
        #expect(try UsageRecordCodec.decode(UsageRecordCodec.encode(empty)) == empty)
    }

    @Test func seededRecordsRoundTrip() throws {
        var random = SeededGenerator(seed: 7)
        func text() -> String { String(random.next() % 100_000, radix: 36) }
        for _ in 0..<500 {
            let samples = (0..<Int(random.next() % 5)).map { _ in
                MeterSample(
                    meterIndex: Int(random.next() % 1000),
                    value: [SampleValue.none, .number(Double(Int64(bitPattern: random.next())) / 1e6), .text(text())][Int(random.next() % 3)],
                    dimensions: (0..<Int(random.next() % 4)).map { _ in random.next() % 3 == 0 ? nil : text() }
                )
            }
            let record = UsageRecord(customer: text(), subject: text(), source: text(), id: text(),
                                     eventTimeMillis: Int64(bitPattern: random.next()), samples: samples)
            #expect(try UsageRecordCodec.decode(UsageRecordCodec.encode(record)) == record)
        }
    }

    @Test func everyTruncationThrows() {
        let bytes = UsageRecordCodec.encode(Self.record)
        for length in 0..<bytes.count {
            #expect(throws: BinaryDecodingError.self) { try UsageRecordCodec.decode(Array(bytes[..<length])) }
        }
    }

    @Test func corruptBytesThrowInsteadOfTrapping() {
        var bytes = UsageRecordCodec.encode(Self.record)
        #expect(throws: BinaryDecodingError.unsupportedVersion(9)) {
            var wrongVersion = bytes
            wrongVersion[0] = 9
            _ = try UsageRecordCodec.decode(wrongVersion)
        }
        #expect(throws: BinaryDecodingError.self) { try UsageRecordCodec.decode(bytes + [0]) }
        var random = SeededGenerator(seed: 3)
        for _ in 0..<2_000 {
            bytes = UsageRecordCodec.encode(Self.record)
            bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            _ = try? UsageRecordCodec.decode(bytes)
        }
        let hugeCount: [UInt8] = [1, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
        #expect(throws: BinaryDecodingError.self) { try UsageRecordCodec.decode(hugeCount) }
    }

    @Test func nonFiniteNumbersAreCorrupt() {
        let record = UsageRecord(customer: "c", subject: "s", source: "k", id: "i", eventTimeMillis: 0,
                                 samples: [MeterSample(meterIndex: 0, value: .number(.nan), dimensions: [])])
        #expect(throws: BinaryDecodingError.self) { try UsageRecordCodec.decode(UsageRecordCodec.encode(record)) }
    }
}
