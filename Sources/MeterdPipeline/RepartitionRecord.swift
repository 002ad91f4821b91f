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

/// The value of a `<appId>-repartition` record: the input record's origin,
/// its original key, and its decoded usage.
///
/// Format (version 1): version byte, origin topic, partition, offset,
/// optional original key, then `UsageRecordCodec`.
public struct RepartitionRecord: Sendable, Equatable {
    public static let version: UInt8 = 1

    public var origin: RecordOrigin
    public var originalKey: [UInt8]?
    public var usage: UsageRecord

    public init(origin: RecordOrigin, originalKey: [UInt8]?, usage: UsageRecord) {
        self.origin = origin
        self.originalKey = originalKey
        self.usage = usage
    }

    public func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 160)
        writer.write(Self.version)
        writer.write(origin.topic)
        writer.write(zigzag: Int64(origin.partition))
        writer.write(zigzag: origin.offset)
        if let originalKey {
            writer.write(true)
            writer.write(bytes: originalKey)
        } else {
            writer.write(false)
        }
        UsageRecordCodec.encode(usage, into: &writer)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(BinaryDecodingError) {
        var reader = BinaryReader(bytes)
        let version = try reader.readByte()
        guard version == Self.version else { throw .unsupportedVersion(version) }
        let topic = try reader.readString()
        let partition = try reader.readZigzag()
        let offset = try reader.readZigzag()
        guard let partition32 = Int32(exactly: partition) else { throw .malformed(reader.offset, "partition out of range") }
        origin = RecordOrigin(topic: topic, partition: partition32, offset: offset)
        originalKey = try reader.readBool() ? try reader.readBytes() : nil
        usage = try UsageRecordCodec.decode(from: &reader)
    }
}
