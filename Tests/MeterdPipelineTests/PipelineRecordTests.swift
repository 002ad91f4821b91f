import MeterdCore
import MeterdKafka
@testable import MeterdPipeline
import Testing

@Suite("Repartition and checkpoint records")
struct PipelineRecordTests {
    let usage = UsageRecord(
        customer: "acme", subject: "acme-web", source: "kong", id: "req-1", eventTimeMillis: 1_780_000_000_123,
        samples: [MeterSample(meterIndex: 1, value: .number(42.5), dimensions: ["gpt-4o", nil])]
    )

    @Test func repartitionRecordRoundTrips() throws {
        let record = RepartitionRecord(origin: RecordOrigin(topic: "gateway.usage", partition: 5, offset: 1_234_567), originalKey: [1, 2, 3], usage: usage)
        #expect(try RepartitionRecord(decoding: record.encoded()) == record)
        let keyless = RepartitionRecord(origin: RecordOrigin(topic: "t", partition: 0, offset: 0), originalKey: nil, usage: usage)
        #expect(try RepartitionRecord(decoding: keyless.encoded()) == keyless)
    }

    @Test func corruptRepartitionRecordsThrow() {
        let bytes = RepartitionRecord(origin: RecordOrigin(topic: "t", partition: 1, offset: 9), originalKey: nil, usage: usage).encoded()
        for length in 0..<bytes.count {
            #expect(throws: BinaryDecodingError.self) { _ = try RepartitionRecord(decoding: Array(bytes.prefix(length))) }
        }
        var future = bytes
        future[0] = 99
        #expect(throws: BinaryDecodingError.unsupportedVersion(99)) { _ = try RepartitionRecord(decoding: future) }
    }

    @Test("a packed repartition record (format 2) holds its entries in order; format 1 still decodes")
    func repartitionBatchRoundTrips() throws {
        let entries = (0..<50).map { index in
            RepartitionRecord(
                origin: RecordOrigin(topic: "gateway.usage", partition: Int32(index % 3), offset: Int64(1_000 + index)),
                originalKey: index.isMultiple(of: 4) ? nil : [UInt8(index)], usage: usage
            )
        }
        var batch = RepartitionBatchWriter()
        for entry in entries { batch.append(entry) }
        #expect(batch.count == entries.count)
        #expect(batch.bytes.count > batch.byteCount)
        #expect(try RepartitionRecord.decodeAll(batch.bytes) == entries)
        #expect(try RepartitionRecord.decodeAll(entries[7].encoded()) == [entries[7]])
    }

    @Test("a batch writer emptied by takeBytes packs the next entries as a fresh one; parts and records encode alike")
    func repartitionBatchWriterIsReused() throws {
        let entries = (0..<30).map { index in
            RepartitionRecord(
                origin: RecordOrigin(topic: "gateway.usage", partition: Int32(index % 2), offset: Int64(index)),
                originalKey: index.isMultiple(of: 3) ? [UInt8(index)] : nil, usage: usage
            )
        }
        var reused = RepartitionBatchWriter()
        for entry in entries[..<20] { reused.append(origin: entry.origin, originalKey: entry.originalKey, usage: entry.usage) }
        #expect(try RepartitionRecord.decodeAll(reused.takeBytes()) == Array(entries[..<20]))
        #expect(reused.count == 0 && reused.byteCount == 0)
        var fresh = RepartitionBatchWriter()
        for entry in entries[20...] {
            reused.append(origin: entry.origin, originalKey: entry.originalKey, usage: entry.usage)
            fresh.append(entry)
        }
        #expect(reused.bytes == fresh.bytes)
        #expect(try RepartitionRecord.decodeAll(reused.takeBytes()) == Array(entries[20...]))
    }

    @Test("the entry count of a packed record is a padded varint in front of the entries; a shortest-form count reads the same")
    func repartitionBatchCount() throws {
        let entries = (0..<200).map { index in
            RepartitionRecord(origin: RecordOrigin(topic: "gateway.usage", partition: 0, offset: Int64(index)), originalKey: nil, usage: usage)
        }
        var batch = RepartitionBatchWriter()
        for entry in entries { batch.append(entry) }
        let padded = batch.takeBytes()
        // 200 = 0b1_1001000: 0xC8, 0x01, then continuation bytes of zero up to five.
        #expect(Array(padded[..<6]) == [RepartitionRecord.batchVersion, 0xC8, 0x81, 0x80, 0x80, 0x00])
        #expect(try RepartitionRecord.decodeAll(padded) == entries)
        let shortest = [RepartitionRecord.batchVersion, 0xC8, 0x01] + padded[6...]
        #expect(try RepartitionRecord.decodeAll(Array(shortest)) == entries)
        var reader = RepartitionEntryReader()
        var lent: [RecordOrigin] = []
        try reader.forEachEntry(in: Array(shortest)) { origin, _, _ in lent.append(origin) }
        #expect(lent == entries.map(\.origin))
    }

    @Test("corrupt or empty packed repartition records throw")
    func corruptRepartitionBatchesThrow() {
        var batch = RepartitionBatchWriter()
        batch.append(RepartitionRecord(origin: RecordOrigin(topic: "t", partition: 1, offset: 9), originalKey: nil, usage: usage))
        batch.append(RepartitionRecord(origin: RecordOrigin(topic: "t", partition: 1, offset: 10), originalKey: [1], usage: usage))
        let bytes = batch.bytes
        for length in 0..<bytes.count {
            #expect(throws: BinaryDecodingError.self) { _ = try RepartitionRecord.decodeAll(Array(bytes.prefix(length))) }
        }
        #expect(throws: BinaryDecodingError.unsupportedVersion(7)) { _ = try RepartitionRecord.decodeAll([7]) }
    }

    @Test func checkpointRoundTrips() throws {
        let checkpoint = AggregationCheckpoint(
            nextOffset: 77,
            appliedOrigins: [OriginPartition(topic: "a", partition: 0): 10, OriginPartition(topic: "b", partition: 3): 99],
            aggregatorHeader: [1, 2, 3, 4],
            isFullRefresh: true
        )
        #expect(try AggregationCheckpoint(decoding: checkpoint.encoded()) == checkpoint)
        let (key, value) = ChangelogRecord.checkpoint(checkpoint).keyAndValue
        #expect(try ChangelogRecord(key: key, value: value) == .checkpoint(checkpoint))
    }

    @Test func inputPositionCarriesTheReplayedMark() throws {
        let record = ChangelogRecord.inputPosition(topic: "gateway.usage", partition: 3, nextOffset: 10, replayedThrough: 99)
        let (key, value) = record.keyAndValue
        #expect(value?.first == 2)
        #expect(try ChangelogRecord(key: key, value: value) == record)
        let plain = ChangelogRecord.inputPosition(topic: "gateway.usage", partition: 3, nextOffset: 10)
        #expect(plain.keyAndValue.value?.first == 1, "without a replay the version-1 encoding stays")
    }

    @Test func checkpointCarriesReplayedOriginsAndReadsVersionOne() throws {
        let origin = OriginPartition(topic: "gateway.usage", partition: 2)
        let checkpoint = AggregationCheckpoint(
            nextOffset: 5, appliedOrigins: [origin: 3], replayedOrigins: [origin: 40],
            aggregatorHeader: [9], isFullRefresh: false
        )
        #expect(try AggregationCheckpoint(decoding: checkpoint.encoded()) == checkpoint)
        // Version 1 (before replays): the same fields without replayed origins.
        var v1 = BinaryWriter(capacity: 32)
        v1.write(UInt8(1))
        v1.write(zigzag: 5)
        v1.write(false)
        v1.write(bytes: [9])
        v1.write(varint: 1)
        v1.write("gateway.usage")
        v1.write(zigzag: 2)
        v1.write(zigzag: 3)
        let old = try AggregationCheckpoint(decoding: v1.bytes)
        #expect(old.appliedOrigins == [origin: 3])
        #expect(old.replayedOrigins.isEmpty)
    }

    @Test func inputPositionRecordsRoundTrip() throws {
        let record = ChangelogRecord.inputPosition(topic: "gateway.usage", partition: 11, nextOffset: 5_000)
        let (key, value) = record.keyAndValue
        #expect(String(decoding: key, as: UTF8.self) == "__input/11/gateway.usage")
        #expect(try ChangelogRecord(key: key, value: value) == record)
        #expect(try ChangelogRecord(key: Array("unknown".utf8), value: [1]) == nil)
    }

    @Test func inputPartitionsMapOntoChangelogPartitions() {
        #expect(ChangelogRecord.changelogPartition(forInputPartition: 7, changelogPartitions: 6) == 1)
        #expect(ChangelogRecord.changelogPartition(forInputPartition: 3, changelogPartitions: 6) == 3)
    }
}

@Suite("Prometheus exposition")
struct PrometheusExpositionTests {
    @Test func rendersCountersGaugesAndACumulativeHistogram() {
        var counters = PipelineCounters()
        counters.recordsIn = ["gateway.usage": 10, "meterd-repartition": 9]
        counters.deadLetters = ["malformed_json": 1]
        counters.lag = ["gateway.usage[0]": 3]
        counters.inputEventTimeMillis = ["gateway.usage[0]": 1_735_689_600_250]
        counters.streamTimeMillis = [2: 1_735_689_660_000]
        counters.ready = true
        counters.recordCommit(seconds: 0.004)
        counters.recordCommit(seconds: 0.07)
        counters.recordCommit(seconds: 30)
        let text = PrometheusExposition.render(counters)
        #expect(text.contains("meterd_records_in_total{topic=\"gateway.usage\"} 10\n"))
        #expect(text.contains("meterd_dead_letters_total{reason=\"malformed_json\"} 1\n"))
        #expect(text.contains("meterd_partition_lag{partition=\"gateway.usage[0]\"} 3\n"))
        #expect(text.contains("meterd_input_event_time_seconds{partition=\"gateway.usage[0]\"} 1735689600.25\n"))
        #expect(text.contains("meterd_stream_time_seconds{partition=\"2\"} 1735689660\n"))
        #expect(text.contains("meterd_ready 1\n"))
        #expect(text.contains("meterd_commit_duration_seconds_bucket{le=\"0.005\"} 1\n"))
        #expect(text.contains("meterd_commit_duration_seconds_bucket{le=\"0.1\"} 2\n"))
        #expect(text.contains("meterd_commit_duration_seconds_bucket{le=\"10\"} 2\n"))
        #expect(text.contains("meterd_commit_duration_seconds_bucket{le=\"+Inf\"} 3\n"))
        #expect(text.contains("meterd_commit_duration_seconds_count 3\n"))
        #expect(text.contains("# TYPE meterd_commit_duration_seconds histogram\n"))
    }

    @Test func escapesLabelValues() {
        var counters = PipelineCounters()
        counters.recordsIn = ["we\"ird\\topic\n": 1]
        #expect(PrometheusExposition.render(counters).contains("meterd_records_in_total{topic=\"we\\\"ird\\\\topic\\n\"} 1\n"))
    }
}
