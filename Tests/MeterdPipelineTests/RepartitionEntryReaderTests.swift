import MeterdCore
import MeterdKafka
@testable import MeterdPipeline
import Testing

/// Stage 2's `RepartitionEntryReader` against `RepartitionRecord.decodeAll`.
@Suite("Repartition entry reader")
struct RepartitionEntryReaderTests {
    static func entries(count: Int) -> [RepartitionRecord] {
        let models = ["gpt-4o-2024-08-06", "claude-3-5-sonnet-20241022", "mistral-large-latest"]
        return (0..<count).map { index in
            let samples = (0..<(index % 4)).map { sample in
                MeterSample(
                    meterIndex: sample, value: sample == 2 ? .text("user-\(index % 7)-with-a-long-name") : .number(Double(index)),
                    dimensions: sample == 1 ? [] : [models[index % models.count], index.isMultiple(of: 5) ? nil : "/v1/chat/completions"]
                )
            }
            return RepartitionRecord(
                origin: RecordOrigin(topic: index.isMultiple(of: 9) ? "gateway.usage.secondary-region" : "gateway.usage", partition: Int32(index % 3), offset: Int64(1_000 + index)),
                originalKey: index.isMultiple(of: 4) ? nil : Array("team-\(index)".utf8),
                usage: UsageRecord(
                    customer: "customer-\(index % 11)", subject: "team-\(index % 22)", source: "kong",
                    id: "0f3e8a1c-5d2b-4e7a-9c61-\(index)", eventTimeMillis: 1_780_000_000_000 + Int64(index), samples: samples
                )
            )
        }
    }

    static func read(_ bytes: [UInt8], reader: inout RepartitionEntryReader) throws(BinaryDecodingError) -> [RepartitionRecord] {
        var seen: [RepartitionRecord] = []
        try reader.forEachEntry(in: bytes) { origin, key, usage in
            seen.append(RepartitionRecord(origin: origin, originalKey: key, usage: usage))
        }
        return seen
    }

    @Test("lends the entries decodeAll returns, in order, for packed and single records, with one reader for many records")
    func lendsWhatDecodeAllReturns() throws {
        let entries = Self.entries(count: 120)
        var reader = RepartitionEntryReader()
        for chunk in stride(from: 0, to: entries.count, by: 40) {
            var batch = RepartitionBatchWriter()
            for entry in entries[chunk..<chunk + 40] { batch.append(entry) }
            #expect(try Self.read(batch.bytes, reader: &reader) == Array(entries[chunk..<chunk + 40]))
        }
        for entry in entries.prefix(10) {
            #expect(try Self.read(entry.encoded(), reader: &reader) == [entry])
        }
    }

    @Test("a corrupt record throws what decodeAll throws and lends no entry")
    func corruptRecordsLendNothing() throws {
        var batch = RepartitionBatchWriter()
        for entry in Self.entries(count: 6) { batch.append(entry) }
        let bytes = batch.bytes
        var variants = (0..<bytes.count).map { Array(bytes.prefix($0)) }
        var random = SeededRandom(seed: 17)
        for _ in 0..<1_500 {
            var corrupt = bytes
            corrupt[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            variants.append(corrupt)
        }
        variants.append(bytes + [0])
        variants.append([7])
        variants.append(Self.entries(count: 1)[0].encoded().dropLast())
        // One reader for every variant: what a corrupt record left staged must not leak into the next.
        var reader = RepartitionEntryReader()
        for variant in variants {
            var expected = "ok"
            do { _ = try RepartitionRecord.decodeAll(variant) } catch { expected = "\(error)" }
            var lent = 0
            var outcome = "ok"
            do { try reader.forEachEntry(in: variant) { _, _, _ in lent += 1 } } catch { outcome = "\(error)" }
            #expect(outcome == expected)
            if outcome != "ok" { #expect(lent == 0) }
        }
        #expect(try Self.read(bytes, reader: &reader) == Self.entries(count: 6))
        let single = Self.entries(count: 3)[2]
        #expect(try Self.read(single.encoded(), reader: &reader) == [single])
    }
}

/// SplitMix64, for reproducible corruptions.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
