/// Writes `BinaryWriter`'s encodings straight into memory sized in advance
/// for the worst case: the changelog's records are many small pieces, and
/// an `Array` append checks uniqueness and capacity for each.
///
/// The caller guarantees the room: `bytes(bound:_:)` allocates `bound`
/// bytes, and every write must stay within the bound it computed
/// (`varintBound` per varint, the UTF-8 count plus `varintBound` per string).
struct RawByteWriter {
    /// The most bytes a varint takes.
    static let varintBound = 10

    /// The bytes `write(varint:)` takes for `value`.
    @inline(__always)
    static func size(varint value: UInt64) -> Int {
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
    }

    /// The bytes `write(zigzag:)` takes for `value`.
    @inline(__always)
    static func size(zigzag value: Int64) -> Int {
        size(varint: UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// The bytes `write(_: String)` takes for a string of `count` UTF-8 bytes.
    @inline(__always)
    static func size(stringOf count: Int) -> Int {
        size(varint: UInt64(count)) + count
    }

    private let start: UnsafeMutablePointer<UInt8>
    private var position: UnsafeMutablePointer<UInt8>

    private init(_ start: UnsafeMutablePointer<UInt8>) {
        self.start = start
        position = start
    }

    /// The bytes `body` writes, into an array of capacity `bound`.
    static func bytes(bound: Int, _ body: (inout RawByteWriter) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            guard let base = buffer.baseAddress else { return }
            var writer = RawByteWriter(base)
            body(&writer)
            count = writer.position - writer.start
            assert(count <= bound, "state record larger than its bound")
        }
    }

    /// Writes into `storage`, which the caller sized for what `body`
    /// writes; returns how many bytes were written.
    static func write(to storage: UnsafeMutableBufferPointer<UInt8>, _ body: (inout RawByteWriter) -> Void) -> Int {
        guard let base = storage.baseAddress else { return 0 }
        var writer = RawByteWriter(base)
        body(&writer)
        return writer.position - writer.start
    }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        position.pointee = byte
        position += 1
    }

    /// As `BinaryWriter.write(varint:)`.
    @inline(__always)
    mutating func write(varint value: UInt64) {
        var v = value
        while v >= 0x80 {
            write(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        write(UInt8(v))
    }

    /// As `BinaryWriter.write(zigzag:)`.
    @inline(__always)
    mutating func write(zigzag value: Int64) {
        write(varint: UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// As `BinaryWriter.write(_: Bool)`.
    mutating func write(_ value: Bool) { write(UInt8(value ? 1 : 0)) }

    /// As `BinaryWriter.write(_: Double)`: 8 little-endian bytes, at most 8.
    mutating func write(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { write(raw: $0) }
    }

    /// As `BinaryWriter.write(_: Int)`.
    mutating func write(_ value: Int) { write(zigzag: Int64(value)) }

    /// As `BinaryWriter.write(_: String?)`.
    mutating func write(_ value: String?) {
        write(value != nil)
        if let value { write(value) }
    }

    /// As `BinaryWriter.write(_: String)`: the UTF-8 length, then the bytes.
    mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            write(varint: UInt64(utf8.count))
            write(raw: UnsafeRawBufferPointer(utf8))
        }
    }

    /// Appends bytes without a length.
    @inline(__always)
    mutating func write(raw bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        UnsafeMutableRawPointer(position).copyMemory(from: source, byteCount: bytes.count)
        position += bytes.count
    }
}
