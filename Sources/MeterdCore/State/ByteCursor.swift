/// Writes `BinaryWriter`'s encodings into memory reserved for them in one
/// step (see `BinaryWriter.append(exactly:_:)`), instead of growing the
/// array value by value. Never writes past its buffer: a size computed too
/// small loses bytes (tests compare with `BinaryWriter`'s own encoding),
/// it does not corrupt memory.
struct ByteCursor: ~Copyable {
    private let base: UnsafeMutableRawBufferPointer
    private(set) var position = 0

    init(_ base: UnsafeMutableRawBufferPointer) { self.base = base }

    @inline(__always)
    mutating func put(_ byte: UInt8) {
        guard position < base.count else { return }
        base[position] = byte
        position += 1
    }

    @inline(__always)
    mutating func put(varint value: UInt64) {
        var v = value
        while v >= 0x80 {
            put(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        put(UInt8(v))
    }

    mutating func put(fixed value: UInt64) {
        guard position + 8 <= base.count else { return }
        base.storeBytes(of: value.littleEndian, toByteOffset: position, as: UInt64.self)
        position += 8
    }

    /// Length, then UTF-8 bytes.
    mutating func put(_ text: String) {
        let utf8 = text.utf8
        put(varint: UInt64(utf8.count))
        let copied: Bool? = utf8.withContiguousStorageIfAvailable { bytes in
            guard position + bytes.count <= base.count else { return true }
            if let source = bytes.baseAddress, let target = base.baseAddress {
                (target + position).copyMemory(from: source, byteCount: bytes.count)
            }
            position += bytes.count
            return true
        }
        if copied == nil { for byte in utf8 { put(byte) } }
    }

    /// Bytes `put(varint:)` writes for `value`.
    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        value < 0x80 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
    }

    /// Bytes `put(_:)` writes for `text`.
    @inline(__always)
    static func size(_ text: String) -> Int {
        let count = text.utf8.count
        return varintSize(UInt64(count)) + count
    }
}

extension BinaryWriter {
    /// Appends `count` bytes written by `body` through a cursor, in scratch
    /// memory (on the stack when small) copied over in one append: growing
    /// the array by `count` zeroes first costs more than the copy.
    mutating func append(exactly count: Int, _ body: (inout ByteCursor) -> Void) {
        withUnsafeTemporaryAllocation(byteCount: count, alignment: 1) { scratch in
            var cursor = ByteCursor(scratch)
            body(&cursor)
            append(raw: UnsafeRawBufferPointer(rebasing: scratch[..<cursor.position]))
        }
    }
}
