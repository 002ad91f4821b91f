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

    public static func encode(_ record: UsageRecord, into writer: inout BinaryWriter) {
        writer.write(version)
        writer.write(record.customer)
        writer.write(record.subject)
        writer.write(record.source)
        writer.write(record.id)
        writer.write(zigzag: record.eventTimeMillis)
        writer.write(varint: UInt64(record.samples.count))
        for sample in record.samples {
            writer.write(varint: UInt64(sample.meterIndex))
            switch sample.value {
            case .none:
                writer.write(UInt8(0))
            case .number(let number):
                writer.write(UInt8(1))
                writer.write(number)
            case .text(let text):
                writer.write(UInt8(2))
                writer.write(text)
            }
            writer.write(varint: UInt64(sample.dimensions.count))
            for dimension in sample.dimensions { writer.write(dimension) }
        }
    }

    /// - Throws: `BinaryDecodingError` for an unknown version, truncated or
    ///   corrupt bytes, a non-finite number, or bytes after the record.
    public static func decode(_ bytes: [UInt8]) throws(BinaryDecodingError) -> UsageRecord {
        var reader = BinaryReader(bytes)
        let record = try decode(from: &reader)
        guard reader.isAtEnd else { throw .malformed(reader.offset, "bytes after the usage record") }
        return record
    }

    public static func decode(from reader: inout BinaryReader) throws(BinaryDecodingError) -> UsageRecord {
        let found = try reader.readByte()
        guard found == version else { throw .unsupportedVersion(found) }
        let customer = try reader.readString()
        let subject = try reader.readString()
        let source = try reader.readString()
        let id = try reader.readString()
        let eventTime = try reader.readZigzag()
        // Every sample takes at least 3 bytes, so a count beyond the remaining bytes is corrupt.
        let sampleCount = try reader.readLength()
        var samples: [MeterSample] = []
        samples.reserveCapacity(sampleCount)
        for _ in 0..<sampleCount {
            let rawIndex = try reader.readVarint()
            guard let meterIndex = Int(exactly: rawIndex), meterIndex <= Int(Int32.max) else {
                throw .malformed(reader.offset, "meter index out of range")
            }
            let value: SampleValue
            switch try reader.readByte() {
            case 0:
                value = .none
            case 1:
                let number = try reader.readDouble()
                guard number.isFinite else { throw .malformed(reader.offset, "non-finite sample value") }
                value = .number(number)
            case 2:
                value = .text(try reader.readString())
            default:
                throw .malformed(reader.offset - 1, "unknown sample value tag")
            }
            let dimensionCount = try reader.readLength()
            var dimensions: [String?] = []
            dimensions.reserveCapacity(dimensionCount)
            for _ in 0..<dimensionCount { dimensions.append(try reader.readOptionalString()) }
            samples.append(MeterSample(meterIndex: meterIndex, value: value, dimensions: dimensions))
        }
        return UsageRecord(
            customer: customer,
            subject: subject,
            source: source,
            id: id,
            eventTimeMillis: eventTime,
            samples: samples
        )
    }
}
