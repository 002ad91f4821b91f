/// Writes `BinaryWriter`'s encodings into memory reserved for them in one
/// step, instead of growing an array value by value (each append checks
/// uniqueness and capacity): usage records for the repartition topic and
/// the changelog's state keys, window, group and quota records.
///
/// Never writes past its buffer. Every write checks its room (one compare
/// per byte, or one per fixed-width value or byte span); a write that does
/// not fit stops at the buffer's end and marks the cursor `overflowed`. The entry
/// points (`bytes(bound:_:)`, `write(into:_:)`,
/// `BinaryWriter.append(exactly:_:)`) then run the body again with more
/// room, so a size computed too small costs time, never bytes.
struct ByteCursor: ~Copyable {
    private let base: UnsafeMutableRawBufferPointer
    /// Bytes written so far.
    private(set) var position = 0
    /// A write did not fit: what the buffer holds is incomplete.
    private(set) var overflowed = false

    init(_ base: UnsafeMutableRawBufferPointer) { self.base = base }

    // MARK: sizes

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

    /// The bytes `write(_: String)` takes for `text`.
    @inline(__always)
    static func size(_ text: String) -> Int {
        size(stringOf: text.utf8.count)
    }

    /// The most bytes a varint takes.
    static let varintBound = 10

    // MARK: writes

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        guard position < base.count else { return overflow() }
        base[position] = byte
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

    /// As `BinaryWriter.write(_: Int)`.
    mutating func write(_ value: Int) { write(zigzag: Int64(value)) }

    /// As `BinaryWriter.write(_: Bool)`.
    mutating func write(_ value: Bool) { write(UInt8(value ? 1 : 0)) }

    /// As `BinaryWriter.write(fixed:)`: 8 little-endian bytes.
    @inline(__always)
    mutating func write(fixed value: UInt64) {
        guard base.count - position >= 8 else { return overflow() }
        base.storeBytes(of: value.littleEndian, toByteOffset: position, as: UInt64.self)
        position += 8
    }

    /// As `BinaryWriter.write(_: Double)`.
    mutating func write(_ value: Double) { write(fixed: value.bitPattern) }

    /// As `BinaryWriter.write(_: String)`: the UTF-8 length, then the bytes.
    mutating func write(_ text: String) {
        text.withUTF8InPlace { write(lengthPrefixed: $0) }
    }

    /// An event id as `write(_: String)` writes its text.
    mutating func write(_ id: EventID) {
        id.withUTF8 { write(lengthPrefixed: $0) }
    }

    /// The byte count as a varint, then the bytes: a string's encoding.
    @inline(__always)
    private mutating func write(lengthPrefixed utf8: UnsafeBufferPointer<UInt8>) {
        write(varint: UInt64(utf8.count))
        write(raw: UnsafeRawBufferPointer(utf8))
    }

    /// As `BinaryWriter.write(lengthPrefixed:)`: a string's encoding of these UTF-8 bytes.
    @inline(__always)
    mutating func write(lengthPrefixed bytes: UnsafeRawBufferPointer) {
        write(varint: UInt64(bytes.count))
        write(raw: bytes)
    }

    /// As `BinaryWriter.write(_: String?)`.
    mutating func write(_ value: String?) {
        write(value != nil)
        if let value { write(value) }
    }

    /// Bytes without a length.
    @inline(__always)
    mutating func write(raw bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        guard base.count - position >= bytes.count, let target = base.baseAddress else { return overflow() }
        (target + position).copyMemory(from: source, byteCount: bytes.count)
        position += bytes.count
    }

    private mutating func overflow() { overflowed = true }

    // MARK: entry points

    /// The room to try after `bound` overflowed.
    static func grown(_ bound: Int) -> Int { max(64, 2 * bound) }

    /// The bytes `body` writes, in an array of capacity `bound` when they
    /// fit (the usual case: `bound` is computed from what is written), else
    /// written again with more room.
    static func bytes(bound: Int, _ body: (inout ByteCursor) -> Void) -> [UInt8] {
        var room = max(bound, 0)
        while true {
            var overflowed = false
            let bytes = [UInt8](unsafeUninitializedCapacity: room) { buffer, count in
                var cursor = ByteCursor(UnsafeMutableRawBufferPointer(buffer))
                body(&cursor)
                overflowed = cursor.overflowed
                count = overflowed ? 0 : cursor.position
            }
            if !overflowed { return bytes }
            room = grown(room)
        }
    }

    /// Writes what `body` writes over the start of `storage` and returns the
    /// count written; when `storage` is too small, it is replaced by a larger
    /// array and `body` runs again.
    static func write(into storage: inout [UInt8], _ body: (inout ByteCursor) -> Void) -> Int {
        while true {
            let (written, overflowed) = storage.withUnsafeMutableBytes { buffer in
                var cursor = ByteCursor(buffer)
                body(&cursor)
                return (cursor.position, cursor.overflowed)
            }
            if !overflowed { return written }
            storage = [UInt8](repeating: 0, count: grown(storage.count))
        }
    }
}

extension BinaryWriter {
    /// Appends `count` bytes written by `body` through a cursor, in scratch
    /// memory (on the stack when small) copied over in one append: growing
    /// the array by `count` zeroes first costs more than the copy. Should
    /// `body` write more than `count`, it is run again with more room.
    mutating func append(exactly count: Int, _ body: (inout ByteCursor) -> Void) {
        var room = max(count, 0)
        while true {
            let appended = withUnsafeTemporaryAllocation(byteCount: room, alignment: 1) { scratch in
                var cursor = ByteCursor(scratch)
                body(&cursor)
                guard !cursor.overflowed else { return false }
                append(raw: UnsafeRawBufferPointer(rebasing: scratch[..<cursor.position]))
                return true
            }
            if appended { return }
            room = ByteCursor.grown(room)
        }
    }
}
