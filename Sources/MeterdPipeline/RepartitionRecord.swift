import MeterdCore

/// Where an input record came from: carried through the repartition topic
/// so dead letters name the original record and stage 2 can skip records it
/// already applied.
public struct RecordOrigin: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}

/// One repartitioned usage record: the input record's origin, its original
/// key, and its decoded usage.
///
/// A `<appId>-repartition` Kafka record holds one (format 1: version byte,
/// then the entry) or, as stage 1 writes them since, several of the same
/// repartition partition (format 2, see `RepartitionBatchWriter`: version
/// byte, number of entries as a varint, padded or not, the entries).
/// An entry: origin topic, partition, offset,
/// optional original key, then `UsageRecordCodec`.
public struct RepartitionRecord: Sendable, Equatable {
    public static let version: UInt8 = 1
    public static let batchVersion: UInt8 = 2

    public var origin: RecordOrigin
    public var originalKey: [UInt8]?
    public var usage: UsageRecord

    public init(origin: RecordOrigin, originalKey: [UInt8]?, usage: UsageRecord) {
        self.origin = origin
        self.originalKey = originalKey
        self.usage = usage
    }

    /// Format 1: this record alone.
    public func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 160)
        writer.write(Self.version)
        Self.encodeEntry(origin: origin, originalKey: originalKey, usage: usage, into: &writer)
        return writer.bytes
    }

    /// One entry (`UsageRecordCodec.encodeEntry` writes the layout).
    static func encodeEntry(origin: RecordOrigin, originalKey: [UInt8]?, usage: UsageRecord, into writer: inout BinaryWriter) {
        UsageRecordCodec.encodeEntry(
            topic: origin.topic, partition: origin.partition, offset: origin.offset, originalKey: originalKey, usage, into: &writer
        )
    }

    /// Decodes a format-1 record.
    public init(decoding bytes: [UInt8]) throws(BinaryDecodingError) {
        var reader = BinaryReader(bytes)
        let version = try reader.readByte()
        guard version == Self.version else { throw .unsupportedVersion(version) }
        try self.init(entryFrom: &reader)
    }

    /// Every entry of a repartition record of either format, in order.
    public static func decodeAll(_ bytes: [UInt8]) throws(BinaryDecodingError) -> [RepartitionRecord] {
        var reader = BinaryReader(bytes)
        let format = try reader.readByte()
        switch format {
        case Self.version:
            return [try RepartitionRecord(entryFrom: &reader)]
        case Self.batchVersion:
            let count = try reader.readVarint()
            guard count > 0, count <= UInt64(bytes.count) else { throw .malformed(reader.offset, "repartition batch of \(count) entries") }
            var entries: [RepartitionRecord] = []
            entries.reserveCapacity(Int(count))
            for _ in 0..<count { entries.append(try RepartitionRecord(entryFrom: &reader)) }
            guard reader.isAtEnd else { throw .malformed(reader.offset, "bytes after the last entry of a repartition batch") }
            return entries
        default:
            throw .unsupportedVersion(format)
        }
    }

    private init(entryFrom reader: inout BinaryReader) throws(BinaryDecodingError) {
        let topic = try reader.readString()
        let partition = try reader.readZigzag()
        let offset = try reader.readZigzag()
        guard let partition32 = Int32(exactly: partition) else { throw .malformed(reader.offset, "partition out of range") }
        origin = RecordOrigin(topic: topic, partition: partition32, offset: offset)
        originalKey = try reader.readBool() ? try reader.readBytes() : nil
        usage = try UsageRecordCodec.decode(from: &reader)
    }
}

/// Builds a format-2 repartition record: stage 1 packs the usage records of
/// one repartition partition read in one poll into one Kafka record, which
/// saves librdkafka's per-record work on both sides of the hop (and the
/// broker's). Every entry keeps its own origin, so dedupe by origin, dead
/// letters and replays work per usage record as before.
///
/// The record is written in place from its first byte: the format byte,
/// room for the entry count, then the entries; the count goes into its room
/// when the record is taken, as a varint padded to `countWidth` bytes (every
/// reader of format 2 reads padded varints like short ones). Until session
/// 21 the count was written in front of the entries by copying them, ~128
/// KiB per record.
public struct RepartitionBatchWriter: Sendable {
    /// Bytes the entry count takes (up to 2^35 entries).
    static let countWidth = 5
    private static let headerSize = 1 + countWidth

    private var record = BinaryWriter(capacity: 16 * 1024)
    /// The largest record taken so far: the capacity of the next one's buffer.
    private var largestRecord = 16 * 1024
    public private(set) var count = 0

    public init() {
        startRecord()
    }

    private mutating func startRecord() {
        record.write(RepartitionRecord.batchVersion)
        for _ in 0..<Self.countWidth { record.write(UInt8(0)) }
    }

    public mutating func append(_ record: RepartitionRecord) {
        append(origin: record.origin, originalKey: record.originalKey, usage: record.usage)
    }

    /// `append(_:)` of the record these parts make, without assembling it.
    public mutating func append(origin: RecordOrigin, originalKey: [UInt8]?, usage: UsageRecord) {
        RepartitionRecord.encodeEntry(origin: origin, originalKey: originalKey, usage: usage, into: &record)
        count += 1
    }

    /// `append(origin:originalKey:usage:)` with stage 1's samples (already
    /// encoded) in place of `usage`'s own, lent through a pointer (by value
    /// they were retained and released per record).
    public mutating func append(
        origin: RecordOrigin, originalKey: [UInt8]?, usage: UsageRecord, lending samples: UnsafeMutablePointer<EncodedSamples>
    ) {
        UsageRecordCodec.encodeEntry(
            topic: origin.topic, partition: origin.partition, offset: origin.offset, originalKey: originalKey,
            usage, lending: samples, into: &record
        )
        count += 1
    }

    /// Bytes of the entries so far.
    public var byteCount: Int { record.bytes.count - Self.headerSize }

    /// The record value: format version, number of entries, the entries.
    public var bytes: [UInt8] {
        var value = record
        value.overwrite(paddedVarint: UInt64(count), width: Self.countWidth, at: 1)
        return value.bytes
    }

    /// `bytes`, moved out without a copy; the writer starts the next record
    /// in a buffer as large as the largest record so far (stage 1 fills one
    /// per partition and poll: no regrowing).
    public mutating func takeBytes() -> [UInt8] {
        record.overwrite(paddedVarint: UInt64(count), width: Self.countWidth, at: 1)
        largestRecord = max(largestRecord, record.bytes.count)
        let value = record.takeBytes(reservingCapacity: largestRecord)
        count = 0
        startRecord()
        return value
    }
}

/// Stage 2's reader of repartition records: lends each entry of a record,
/// decoded into storage reused from entry to entry (the usage record's
/// arrays, repeated strings such as dimension values and the topic, the
/// original key's buffer), instead of building a `RepartitionRecord` each.
///
/// One per repartition record or longer-lived; entries a caller keeps are
/// copies and never change afterwards.
public struct RepartitionEntryReader: Sendable {
    /// One decoded entry, kept between records so that its arrays are reused.
    private struct StagedEntry: Sendable {
        var origin = RecordOrigin(topic: "", partition: 0, offset: 0)
        var hasKey = false
        var key: [UInt8] = []
        var usage = UsageRecord.empty
    }

    private var usageDecoder = UsageRecordDecoder()
    /// The entries of the record being read, decoded before any is lent;
    /// as many as the largest record had.
    private var staged: [StagedEntry] = []

    public init() {}

    /// Calls `body` with each entry of a repartition record of either format,
    /// in order: origin, original key, usage.
    ///
    /// Every entry is decoded before the first is lent, in one pass over the
    /// bytes (a check pass before decoding cost a fifth of reading them).
    /// - Throws: what `RepartitionRecord.decodeAll` throws for the same
    ///   bytes, before `body` sees any entry: a corrupt record applies nothing.
    public mutating func forEachEntry(
        in bytes: [UInt8], _ body: (RecordOrigin, [UInt8]?, UsageRecord) -> Void
    ) throws(BinaryDecodingError) {
        var reader = BinaryReader(bytes)
        let format = try reader.readByte()
        let count: Int
        switch format {
        case RepartitionRecord.version:
            count = 1
        case RepartitionRecord.batchVersion:
            let declared = try reader.readVarint()
            guard declared > 0, declared <= UInt64(bytes.count) else { throw .malformed(reader.offset, "repartition batch of \(declared) entries") }
            count = Int(declared)
        default:
            throw .unsupportedVersion(format)
        }
        for index in 0..<count {
            // Slots are added as entries decode, so a corrupt count cannot grow the list beyond the entries present.
            if index == staged.count { staged.append(StagedEntry()) }
            try Self.decodeEntry(from: &reader, decoder: &usageDecoder, into: &staged[index])
        }
        if format == RepartitionRecord.batchVersion, !reader.isAtEnd {
            throw .malformed(reader.offset, "bytes after the last entry of a repartition batch")
        }
        // Each record is moved out of its slot for the call and back after:
        // passing it from the slot (or through a buffer pointer, as before)
        // copied it, a retain and a release of its arrays and strings per
        // entry (`perf`: 1.2% of stage 2's samples in that copy's retains).
        var lent = UsageRecord.empty
        for index in 0..<count {
            swap(&lent, &staged[index].usage)
            body(staged[index].origin, staged[index].hasKey ? staged[index].key : nil, lent)
            swap(&lent, &staged[index].usage)
        }
    }

    private static func decodeEntry(
        from reader: inout BinaryReader, decoder usageDecoder: inout UsageRecordDecoder, into entry: inout StagedEntry
    ) throws(BinaryDecodingError) {
        let topic = try usageDecoder.readString(from: &reader)
        let partition = try reader.readZigzag()
        let offset = try reader.readZigzag()
        guard let partition32 = Int32(exactly: partition) else { throw .malformed(reader.offset, "partition out of range") }
        entry.origin = RecordOrigin(topic: topic, partition: partition32, offset: offset)
        entry.hasKey = try reader.readBool()
        if entry.hasKey { try reader.readBytes(into: &entry.key) }
        try usageDecoder.decode(from: &reader, into: &entry.usage)
    }
}
