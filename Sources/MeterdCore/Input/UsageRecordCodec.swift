/// The binary form of a `UsageRecord` in the repartition topic: a version
/// byte, then the fields in declaration order with `BinaryWriter`'s encoding.
///
/// Version 1 layout: customer, subject, source, id (strings), event time
/// (zig-zag varint), sample count (varint), then per sample: meter index
/// (varint), value tag (0 none, 1 number + double, 2 text + string),
/// dimension count (varint) and each dimension as an optional string.
public enum UsageRecordCodec {
    public static let version: UInt8 = 1

    public static func encode(_ record: UsageRecord) -> [UInt8] {
        var writer = BinaryWriter(capacity: 64 + record.samples.count * 32)
        encode(record, into: &writer)
        return writer.bytes
    }

    /// Appends the record to `writer`: its exact size is computed first,
    /// then it is written in one step (no per-field growth checks).
    public static func encode(_ record: UsageRecord, into writer: inout BinaryWriter) {
        writer.append(exactly: encodedSize(record)) { out in writeRecord(record, to: &out) }
    }

    /// `encode(_:into:)` of `record` with `samples` (from
    /// `UsageExtractor.extract(…, into:samples:)`) in place of its own.
    public static func encode(_ record: UsageRecord, samples: EncodedSamples, into writer: inout BinaryWriter) {
        samples.withBytes { sampleBytes in
            writer.append(exactly: headerSize(record, sampleCount: samples.count) + sampleBytes.count) { out in
                writeHeader(record, sampleCount: samples.count, to: &out)
                out.write(raw: sampleBytes)
            }
        }
    }

    /// A repartition entry (`RepartitionRecord`'s format: the origin topic as
    /// a string, partition and offset as zig-zag varints, the original key as
    /// an optional byte string), then the record as `encode(_:into:)` writes
    /// it, all in one exactly-sized step: stage 1 writes one per input
    /// record, and appending field by field checked the array's capacity and
    /// uniqueness per byte.
    public static func encodeEntry(
        topic: String, partition: Int32, offset: Int64, originalKey: [UInt8]?,
        _ record: UsageRecord, into writer: inout BinaryWriter
    ) {
        let originSize = originSize(topic: topic, partition: partition, offset: offset, originalKey: originalKey)
        writer.append(exactly: originSize + encodedSize(record)) { out in
            writeOrigin(topic: topic, partition: partition, offset: offset, originalKey: originalKey, to: &out)
            writeRecord(record, to: &out)
        }
    }

    /// `encodeEntry(topic:partition:offset:originalKey:_:into:)` with stage
    /// 1's samples (already encoded) in place of the record's own, lent
    /// through a pointer: passed by value (or wrapped in an optional) they
    /// were retained and released per record.
    public static func encodeEntry(
        topic: String, partition: Int32, offset: Int64, originalKey: [UInt8]?,
        _ record: UsageRecord, lending samples: UnsafeMutablePointer<EncodedSamples>, into writer: inout BinaryWriter
    ) {
        let originSize = originSize(topic: topic, partition: partition, offset: offset, originalKey: originalKey)
        let sampleCount = samples.pointee.count
        samples.pointee.withBytesInPlace { sampleBytes in
            writer.append(exactly: originSize + headerSize(record, sampleCount: sampleCount) + sampleBytes.count) { out in
                writeOrigin(topic: topic, partition: partition, offset: offset, originalKey: originalKey, to: &out)
                writeHeader(record, sampleCount: sampleCount, to: &out)
                out.write(raw: sampleBytes)
            }
        }
    }

    @inline(__always)
    private static func originSize(topic: String, partition: Int32, offset: Int64, originalKey: [UInt8]?) -> Int {
        ByteCursor.size(topic) + ByteCursor.size(zigzag: Int64(partition)) + ByteCursor.size(zigzag: offset)
            + 1 + (originalKey.map { ByteCursor.size(stringOf: $0.count) } ?? 0)
    }

    @inline(__always)
    private static func writeOrigin(topic: String, partition: Int32, offset: Int64, originalKey: [UInt8]?, to out: inout ByteCursor) {
        out.write(topic)
        out.write(zigzag: Int64(partition))
        out.write(zigzag: offset)
        if let originalKey {
            out.write(true)
            originalKey.withUnsafeBytes { out.write(lengthPrefixed: $0) }
        } else {
            out.write(false)
        }
    }

    /// The record with its own samples: header, then each sample.
    @inline(__always)
    private static func writeRecord(_ record: UsageRecord, to out: inout ByteCursor) {
        writeHeader(record, sampleCount: record.samples.count, to: &out)
        for sample in record.samples {
            writeSampleHead(meterIndex: sample.meterIndex, value: sample.value, dimensionCount: sample.dimensions.count, to: &out)
            for dimension in sample.dimensions {
                if let dimension {
                    out.write(UInt8(1))
                    out.write(dimension)
                } else {
                    out.write(UInt8(0))
                }
            }
        }
    }

    /// A sample up to its dimensions: meter index, value tag (0 none, 1 a
    /// number and its 8 bytes, 2 a text), dimension count.
    @inline(__always)
    static func writeSampleHead(meterIndex: Int, value: SampleValue, dimensionCount: Int, to out: inout ByteCursor) {
        out.write(varint: UInt64(truncatingIfNeeded: meterIndex))
        switch value {
        case .none:
            out.write(UInt8(0))
        case .number(let number):
            out.write(UInt8(1))
            out.write(fixed: number.bitPattern)
        case .text(let text):
            out.write(UInt8(2))
            out.write(text)
        }
        out.write(varint: UInt64(dimensionCount))
    }

    /// Everything before the samples: version, customer, subject, source, id, time, sample count.
    @inline(__always)
    private static func writeHeader(_ record: UsageRecord, sampleCount: Int, to out: inout ByteCursor) {
        out.write(version)
        out.write(record.customer)
        out.write(record.subject)
        out.write(record.source)
        out.write(record.eventID)
        out.write(varint: zigzag(record.eventTimeMillis))
        out.write(varint: UInt64(sampleCount))
    }

    @inline(__always)
    private static func headerSize(_ record: UsageRecord, sampleCount: Int) -> Int {
        1 + ByteCursor.size(record.customer) + ByteCursor.size(record.subject)
            + ByteCursor.size(record.source) + ByteCursor.size(stringOf: record.eventID.count)
            + ByteCursor.size(varint: zigzag(record.eventTimeMillis)) + ByteCursor.size(varint: UInt64(sampleCount))
    }

    static func encodedSize(_ record: UsageRecord) -> Int {
        var size = headerSize(record, sampleCount: record.samples.count)
        for sample in record.samples {
            size += ByteCursor.size(varint: UInt64(truncatingIfNeeded: sample.meterIndex)) + 1
            switch sample.value {
            case .none: break
            case .number: size += 8
            case .text(let text): size += ByteCursor.size(text)
            }
            size += ByteCursor.size(varint: UInt64(sample.dimensions.count))
            for dimension in sample.dimensions { size += 1 + (dimension.map { ByteCursor.size($0) } ?? 0) }
        }
        return size
    }

    private static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

    /// - Throws: `BinaryDecodingError` for an unknown version, truncated or
    ///   corrupt bytes, a non-finite number, or bytes after the record.
    public static func decode(_ bytes: [UInt8]) throws(BinaryDecodingError) -> UsageRecord {
        var reader = BinaryReader(bytes)
        let record = try decode(from: &reader)
        guard reader.isAtEnd else { throw .malformed(reader.offset, "bytes after the usage record") }
        return record
    }

    public static func decode(from reader: inout BinaryReader) throws(BinaryDecodingError) -> UsageRecord {
        var decoder = UsageRecordDecoder(caching: false)
        var record = UsageRecord.empty
        try decoder.decode(from: &reader, into: &record)
        return record
    }
}

extension UsageRecord {
    /// A record with empty fields, to decode into.
    public static var empty: UsageRecord {
        UsageRecord(customer: "", subject: "", source: "", id: "", eventTimeMillis: 0, samples: [])
    }
}

/// Decodes `UsageRecordCodec` bytes into a record it is given, reusing that
/// record's arrays (samples, each sample's dimensions) and the strings it
/// decoded before (dimension values: few distinct values, seen on every
/// record), so a stream of records decodes without per-record allocations
/// beyond its unique strings (the event id).
///
/// One per decoding loop (stage 2 keeps one per repartition record): the
/// record's storage is reused only while nothing else holds it, so a record
/// kept by the caller is never changed, it is copied on the next decode.
public struct UsageRecordDecoder: Sendable {
    private var interner: StringInterner
    /// Samples dropped from a record with fewer samples than the last, kept for their dimension arrays.
    private var spareSamples: [MeterSample] = []

    /// `caching`: reuse strings decoded before (costs two small tables).
    public init(caching: Bool = true) {
        interner = StringInterner(slotCount: caching ? 128 : 0)
    }

    /// Replaces every field of `record` with the next encoded record.
    /// - Throws: `BinaryDecodingError` as `UsageRecordCodec.decode(from:)`
    ///   does; `record` is then partly overwritten.
    public mutating func decode(from reader: inout BinaryReader, into record: inout UsageRecord) throws(BinaryDecodingError) {
        let found = try reader.readByte()
        guard found == UsageRecordCodec.version else { throw .unsupportedVersion(found) }
        // Customers, subjects and ids have too many values for the cache: they would only evict the few that repeat.
        record.customer = try reader.readLengthPrefixed { String(decoding: $0, as: UTF8.self) }
        record.subject = try reader.readLengthPrefixed { String(decoding: $0, as: UTF8.self) }
        record.source = try reader.readLengthPrefixed { interner.string($0) }
        try reader.readLengthPrefixed { record.eventID.replace(decoding: $0) }
        record.eventTimeMillis = try reader.readZigzag()
        // Every sample takes at least 3 bytes, so a count beyond the remaining bytes is corrupt.
        let sampleCount = try reader.readLength()
        record.keepSamples(sampleCount, sparing: &spareSamples)
        for position in 0..<sampleCount {
            record.provideSample(at: position, from: &spareSamples)
            try decodeSample(from: &reader, into: &record.samples[position])
        }
    }

    private mutating func decodeSample(from reader: inout BinaryReader, into sample: inout MeterSample) throws(BinaryDecodingError) {
        sample.meterIndex = try Self.readMeterIndex(&reader)
        switch try reader.readByte() {
        case 0:
            sample.value = .none
        case 1:
            let number = try reader.readDouble()
            guard number.isFinite else { throw .malformed(reader.offset, "non-finite sample value") }
            sample.value = .number(number)
        case 2:
            sample.value = .text(try reader.readLengthPrefixed { String(decoding: $0, as: UTF8.self) })
        default:
            throw .malformed(reader.offset - 1, "unknown sample value tag")
        }
        let dimensionCount = try reader.readLength()
        // Overwritten in place: `removeAll(keepingCapacity:)` costs more than the whole loop.
        if sample.dimensions.count > dimensionCount { sample.dimensions.removeLast(sample.dimensions.count - dimensionCount) }
        for position in 0..<dimensionCount {
            let dimension = try reader.readBool() ? try reader.readLengthPrefixed { interner.string($0) } : nil
            if position < sample.dimensions.count {
                sample.dimensions[position] = dimension
            } else {
                sample.dimensions.append(dimension)
            }
        }
    }

    /// A string field, reusing an equal string decoded before (for other
    /// repeated strings around the records, such as a topic name).
    public mutating func readString(from reader: inout BinaryReader) throws(BinaryDecodingError) -> String {
        try reader.readLengthPrefixed { interner.string($0) }
    }

    static func readMeterIndex(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> Int {
        let rawIndex = try reader.readVarint()
        guard let meterIndex = Int(exactly: rawIndex), meterIndex <= Int(Int32.max) else {
            throw .malformed(reader.offset, "meter index out of range")
        }
        return meterIndex
    }
}
