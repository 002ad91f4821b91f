/// A small direct-mapped cache of decoded strings, so decoding the same
/// bytes again (dimension values, the source, a topic name: few distinct
/// values, seen on every record) returns the String already built (one
/// retain) instead of validating the UTF-8 and, beyond 15 bytes,
/// allocating a new one.
///
/// Each slot keeps the bytes it was built from, so a hit is a byte compare
/// and the result is always exactly `String(decoding:as:)` of the bytes; a
/// miss replaces the slot. Strings longer than `maxLength` bytes are not cached.
struct StringInterner: Sendable {
    static let maxLength = 32
    private var keys: [UInt8]
    /// Byte count of each slot's key; -1 for an empty slot.
    private var lengths: [Int]
    private var strings: [String]

    /// `slotCount`: a power of two, or 0 for no caching at all.
    init(slotCount: Int = 128) {
        keys = [UInt8](repeating: 0, count: slotCount * Self.maxLength)
        lengths = [Int](repeating: -1, count: slotCount)
        strings = [String](repeating: "", count: slotCount)
    }

    mutating func string(_ bytes: UnsafeRawBufferPointer) -> String {
        guard bytes.count <= Self.maxLength, !lengths.isEmpty else { return String(decoding: bytes, as: UTF8.self) }
        let slot = Int(truncatingIfNeeded: Self.hash(bytes)) & (lengths.count - 1)
        let start = slot * Self.maxLength
        if lengths[slot] == bytes.count, keys.withUnsafeBytes({ Self.equal($0.baseAddress, start, bytes) }) {
            return strings[slot]
        }
        let string = String(decoding: bytes, as: UTF8.self)
        keys.withUnsafeMutableBytes { keys in
            if let target = keys.baseAddress, let source = bytes.baseAddress {
                (target + start).copyMemory(from: source, byteCount: bytes.count)
            }
        }
        lengths[slot] = bytes.count
        strings[slot] = string
        return string
    }

    @inline(__always)
    private static func equal(_ keys: UnsafeRawPointer?, _ start: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let keys, let base = bytes.baseAddress else { return bytes.isEmpty }
        let key = keys + start
        var offset = 0
        while offset + 8 <= bytes.count {
            if key.loadUnaligned(fromByteOffset: offset, as: UInt64.self) != base.loadUnaligned(fromByteOffset: offset, as: UInt64.self) {
                return false
            }
            offset += 8
        }
        while offset < bytes.count {
            if key.load(fromByteOffset: offset, as: UInt8.self) != bytes[offset] { return false }
            offset += 1
        }
        return true
    }

    /// Length, first and last 8 bytes (overlapping for short keys), mixed:
    /// enough to spread the few values that repeat; equal bytes decide a hit.
    @inline(__always)
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
        if bytes.count >= 8 {
            hash = Fingerprint.mix(hash, bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
            hash = Fingerprint.mix(hash, bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self))
        } else {
            var tail: UInt64 = 0
            for offset in 0..<bytes.count { tail |= UInt64(bytes[offset]) << (8 * UInt64(offset)) }
            hash = Fingerprint.mix(hash, tail)
        }
        return hash
    }
}
