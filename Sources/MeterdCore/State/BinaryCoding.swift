/// Appends primitive values to a compact, versionable byte buffer.
///
/// The one binary encoding of the core: repartitioned usage records and
/// partition state snapshots use it. Integers are LEB128 varints (signed ones
/// zig-zag encoded), doubles are 8 little-endian bytes, strings are a length
/// then UTF-8 bytes.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Takes `buffer`'s storage (leaving it empty), so writing needs no allocation when it is large enough.
    init(reusing buffer: inout [UInt8], capacity: Int) {
        bytes = []
        swap(&bytes, &buffer)
        bytes.removeAll(keepingCapacity: true)
        bytes.reserveCapacity(capacity)
    }

    /// Empties the writer, keeping its buffer for what is written next.
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    /// Moves the bytes out without copying them, leaving the writer empty
    /// with a new buffer of `capacity`.
    public mutating func takeBytes(reservingCapacity capacity: Int) -> [UInt8] {
        var taken: [UInt8] = []
        taken.reserveCapacity(capacity)
        swap(&taken, &bytes)
        return taken
    }

    /// Writes `value` over the `width` bytes at `offset` as a varint padded
    /// to that width (a continuation bit on all but the last byte), which
    /// `BinaryReader.readVarint` reads like the shortest form: a count can
    /// go in front of what it counts once that is written, without moving it.
    public mutating func overwrite(paddedVarint value: UInt64, width: Int, at offset: Int) {
        precondition(width >= 1 && width <= 9 && value >> UInt64(7 * width) == 0, "\(value) does not fit a \(width)-byte varint")
        var rest = value
        for index in 0..<width {
            bytes[offset + index] = UInt8(truncatingIfNeeded: rest & 0x7F) | (index == width - 1 ? 0 : 0x80)
            rest >>= 7
        }
    }

    public mutating func write(_ value: UInt8) { bytes.append(value) }

    public mutating func write(varint value: UInt64) {
        if value < 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value))
            return
        }
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func write(_ value: Int) { write(zigzag: Int64(value)) }

    public mutating func write(zigzag value: Int64) {
        write(varint: UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    public mutating func write(_ value: Double) { write(fixed: value.bitPattern) }

    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// 8 little-endian bytes (for hash values, which varints would only lengthen).
    public mutating func write(fixed value: UInt64) {
        // One append of the 8 bytes instead of 8 appends (each checks capacity).
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ value: String) {
        value.withUTF8InPlace { utf8 in
            write(varint: UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func write(_ value: String?) {
        if let value {
            write(true)
            write(value)
        } else {
            write(false)
        }
    }

    /// A length, then `value`'s bytes (as `write(_: String)` writes a string's UTF-8).
    mutating func write(lengthPrefixed value: UnsafeRawBufferPointer) {
        write(varint: UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func write(bytes value: [UInt8]) {
        write(varint: UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Appends bytes another writer produced, without a length.
    mutating func append(raw value: [UInt8]) { bytes.append(contentsOf: value) }

    /// Appends raw memory (fixed-width values already in wire order).
    mutating func append(raw value: UnsafeRawBufferPointer) { bytes.append(contentsOf: value) }
}

/// Reads what `BinaryWriter` wrote; every read is bounds-checked and throws
/// `BinaryDecodingError` instead of trapping on corrupt input.
public struct BinaryReader: ~Copyable {
    private let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
    }

    public var isAtEnd: Bool { offset >= bytes.count }

    public mutating func readByte() throws(BinaryDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// A varint; one byte (lengths, counts, small indexes: most of them) is
    /// read inline, longer ones out of line.
    @inline(__always)
    public mutating func readVarint() throws(BinaryDecodingError) -> UInt64 {
        if offset < bytes.count {
            let first = bytes[offset]
            if first < 0x80 {
                offset += 1
                return UInt64(first)
            }
        }
        return try readLongVarint()
    }

    @inline(never)
    private mutating func readLongVarint() throws(BinaryDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            guard shift < 64 else { throw .malformed(offset, "varint too long") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    public mutating func readZigzag() throws(BinaryDecodingError) -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    public mutating func readInt() throws(BinaryDecodingError) -> Int {
        let value = try readZigzag()
        guard let int = Int(exactly: value) else { throw .malformed(offset, "integer out of range") }
        return int
    }

    public mutating func readDouble() throws(BinaryDecodingError) -> Double {
        Double(bitPattern: try readFixedUInt64())
    }

    public mutating func readFixedUInt64() throws(BinaryDecodingError) -> UInt64 {
        guard offset + 8 <= bytes.count else { throw .truncated(offset) }
        let bits = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        offset += 8
        return UInt64(littleEndian: bits)
    }

    public mutating func readBool() throws(BinaryDecodingError) -> Bool {
        switch try readByte() {
        case 0: return false
        case 1: return true
        default: throw .malformed(offset - 1, "invalid boolean")
        }
    }

    public mutating func readLength() throws(BinaryDecodingError) -> Int {
        let count = try readVarint()
        guard count <= UInt64(bytes.count - offset) else { throw .truncated(offset) }
        return Int(count)
    }

    public mutating func readString() throws(BinaryDecodingError) -> String {
        try readLengthPrefixed { String(decoding: $0, as: UTF8.self) }
    }

    public mutating func readOptionalString() throws(BinaryDecodingError) -> String? {
        try readBool() ? try readString() : nil
    }

    /// Lends the bytes of a length-prefixed field (a string's UTF-8, a byte
    /// array) to `body` and moves past them.
    @inline(__always)
    mutating func readLengthPrefixed<R>(_ body: (UnsafeRawBufferPointer) -> R) throws(BinaryDecodingError) -> R {
        let count = try readLength()
        defer { offset += count }
        return bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[offset..<offset + count])) }
    }

    /// `readBytes` into `buffer`, replacing its contents and reusing its storage.
    public mutating func readBytes(into buffer: inout [UInt8]) throws(BinaryDecodingError) {
        buffer.removeAll(keepingCapacity: true)
        try readLengthPrefixed { buffer.append(contentsOf: $0) }
    }

    public mutating func readBytes() throws(BinaryDecodingError) -> [UInt8] {
        let count = try readLength()
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}

/// Corrupt or truncated binary input.
public enum BinaryDecodingError: Error, Sendable, Equatable {
    case truncated(Int)
    case malformed(Int, String)
    case unsupportedVersion(UInt8)
}
