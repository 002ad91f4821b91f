import MeterdCore

/// The records of `<appId>-changelog`. Partition p holds the aggregation
/// state of repartition partition p and the positions of input partitions
/// whose number maps to p; keys make the topic compactable.
///
/// | key | value |
/// |---|---|
/// | `s/<state key>` | one aggregator state record (`StateRecord`, opaque key); tombstone when gone |
/// | `__checkpoint` | `AggregationCheckpoint`, written last in each transaction |
/// | `__input/<partition>/<topic>` | next input offset to read, and the last offset an ops replay re-reads |
public enum ChangelogRecord: Sendable, Equatable {
    case state(key: [UInt8], value: [UInt8]?)
    case checkpoint(AggregationCheckpoint)
    /// `replayedThrough`: records up to this offset were processed before an
    /// ops replay rewound the input (so they are not dead-lettered twice).
    case inputPosition(topic: String, partition: Int32, nextOffset: Int64, replayedThrough: Int64? = nil)

    static let statePrefix: [UInt8] = Array("s/".utf8)
    static let checkpointKey: [UInt8] = Array("__checkpoint".utf8)
    static let inputPrefix = "__input/"

    /// The Kafka key and value of this record.
    public var keyAndValue: (key: [UInt8], value: [UInt8]?) {
        switch self {
        case .state(let key, let value):
            return (Self.statePrefix + key, value)
        case .checkpoint(let checkpoint):
            return (Self.checkpointKey, checkpoint.encoded())
        case .inputPosition(let topic, let partition, let nextOffset, let replayedThrough):
            var writer = BinaryWriter(capacity: 20)
            writer.write(UInt8(replayedThrough == nil ? 1 : 2))
            writer.write(zigzag: nextOffset)
            if let replayedThrough { writer.write(zigzag: replayedThrough) }
            return (Array("\(Self.inputPrefix)\(partition)/\(topic)".utf8), writer.bytes)
        }
    }

    /// Parses a changelog record; `nil` for keys this version does not know.
    public init?(key: [UInt8]?, value: [UInt8]?) throws(BinaryDecodingError) {
        guard let key else { return nil }
        if key.starts(with: Self.statePrefix) {
            self = .state(key: Array(key.dropFirst(Self.statePrefix.count)), value: value)
        } else if key == Self.checkpointKey {
            guard let value else { return nil }
            self = .checkpoint(try AggregationCheckpoint(decoding: value))
        } else {
            let text = String(decoding: key, as: UTF8.self)
            guard text.hasPrefix(Self.inputPrefix), let value else { return nil }
            let rest = text.dropFirst(Self.inputPrefix.count)
            guard let slash = rest.firstIndex(of: "/"), let partition = Int32(rest[..<slash]) else { return nil }
            var reader = BinaryReader(value)
            let version = try reader.readByte()
            guard version == 1 || version == 2 else { throw .unsupportedVersion(version) }
            let nextOffset = try reader.readZigzag()
            self = .inputPosition(
                topic: String(rest[rest.index(after: slash)...]), partition: partition, nextOffset: nextOffset,
                replayedThrough: version == 2 ? try reader.readZigzag() : nil
            )
        }
    }

    /// The changelog partition that keeps the position of an input partition.
    public static func changelogPartition(forInputPartition partition: Int32, changelogPartitions: Int32) -> Int32 {
        partition % max(changelogPartitions, 1)
    }
}

/// The commit point of one aggregation task, written after every other
/// record of its transaction has been acknowledged. Restore applies the
/// state records up to the last checkpoint and ignores later ones (they
/// belong to a transaction that never completed — visible on brokers that
/// do not hide aborted data).
public struct AggregationCheckpoint: Sendable, Equatable {
    static let version: UInt8 = 2

    /// Next repartition offset to read.
    public var nextOffset: Int64
    /// Greatest applied origin offset per input partition: repartitioned
    /// copies at or below it are skipped.
    public var appliedOrigins: [OriginPartition: Int64]
    /// Origins an ops replay re-reads: a record at or below this offset was
    /// processed before the replay (`meterd replay`), so the aggregator
    /// treats it as re-read. Entries go once their offset is passed.
    public var replayedOrigins: [OriginPartition: Int64]
    /// Where an ops replay rewound each input, and the repartition offset
    /// at which its re-read copies begin: a repartitioned record below that
    /// offset whose origin is at or after the rewind point is skipped, as
    /// its re-read copy follows. `nil` once passed (or without a replay).
    public var rewoundOrigins: [OriginPartition: Int64]
    public var rereadCopiesStartOffset: Int64?
    /// The aggregator's header (stream time, emission watermark).
    public var aggregatorHeader: [UInt8]
    /// True when this transaction rewrote every state record, so the records
    /// before it are no longer needed to restore.
    public var isFullRefresh: Bool

    public init(
        nextOffset: Int64, appliedOrigins: [OriginPartition: Int64], replayedOrigins: [OriginPartition: Int64] = [:],
        rewoundOrigins: [OriginPartition: Int64] = [:], rereadCopiesStartOffset: Int64? = nil,
        aggregatorHeader: [UInt8], isFullRefresh: Bool
    ) {
        self.nextOffset = nextOffset
        self.appliedOrigins = appliedOrigins
        self.replayedOrigins = replayedOrigins
        self.rewoundOrigins = rewoundOrigins
        self.rereadCopiesStartOffset = rereadCopiesStartOffset
        self.aggregatorHeader = aggregatorHeader
        self.isFullRefresh = isFullRefresh
    }

    public func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 64 + aggregatorHeader.count)
        writer.write(Self.version)
        writer.write(zigzag: nextOffset)
        writer.write(isFullRefresh)
        writer.write(bytes: aggregatorHeader)
        Self.write(appliedOrigins, to: &writer)
        Self.write(replayedOrigins, to: &writer)
        Self.write(rewoundOrigins, to: &writer)
        writer.write(zigzag: rereadCopiesStartOffset ?? -1)
        return writer.bytes
    }

    private static func write(_ origins: [OriginPartition: Int64], to writer: inout BinaryWriter) {
        writer.write(varint: UInt64(origins.count))
        for (origin, offset) in origins.sorted(by: { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }) {
            writer.write(origin.topic)
            writer.write(zigzag: Int64(origin.partition))
            writer.write(zigzag: offset)
        }
    }

    public init(decoding bytes: [UInt8]) throws(BinaryDecodingError) {
        var reader = BinaryReader(bytes)
        let version = try reader.readByte()
        guard version == 1 || version == Self.version else { throw .unsupportedVersion(version) }
        nextOffset = try reader.readZigzag()
        isFullRefresh = try reader.readBool()
        aggregatorHeader = try reader.readBytes()
        appliedOrigins = try Self.readOrigins(&reader)
        guard version >= 2 else {
            replayedOrigins = [:]
            rewoundOrigins = [:]
            rereadCopiesStartOffset = nil
            return
        }
        replayedOrigins = try Self.readOrigins(&reader)
        rewoundOrigins = try Self.readOrigins(&reader)
        let start = try reader.readZigzag()
        rereadCopiesStartOffset = start >= 0 ? start : nil
    }

    private static func readOrigins(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> [OriginPartition: Int64] {
        let count = try reader.readVarint()
        guard count < 1_000_000 else { throw .malformed(reader.offset, "too many origins") }
        var origins: [OriginPartition: Int64] = [:]
        for _ in 0..<count {
            let topic = try reader.readString()
            let partition = try reader.readZigzag()
            guard let partition32 = Int32(exactly: partition) else { throw .malformed(reader.offset, "partition out of range") }
            origins[OriginPartition(topic: topic, partition: partition32)] = try reader.readZigzag()
        }
        return origins
    }
}

/// An input partition, as named in repartitioned records.
public struct OriginPartition: Sendable, Hashable {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
}
