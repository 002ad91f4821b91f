/// A small direct-mapped cache of decoded strings, so decoding the same
/// bytes again (dimension values, topic names: few distinct values, seen on
/// every record) returns the String already built (one retain) instead of
/// allocating and validating a new one.
///
/// Only strings too long for Swift's inline small-string form (> 15 UTF-8
/// bytes) are cached: shorter ones cost no allocation anyway. A hit requires
/// equal bytes, so the result is always exactly `String(decoding:as:)` of
/// the bytes; a miss replaces the slot.
struct StringInterner: Sendable {
    private var hashes: [UInt64]
    private var strings: [String]

    /// `slotCount`: a power of two, or 0 for no caching at all.
    init(slotCount: Int = 128) {
        hashes = [UInt64](repeating: 0, count: slotCount)
        strings = [String](repeating: "", count: slotCount)
    }

    mutating func string(_ bytes: UnsafeRawBufferPointer) -> String {
        guard bytes.count > 15, !hashes.isEmpty else { return String(decoding: bytes, as: UTF8.self) }
        let hash = Self.hash(bytes)
        let slot = Int(truncatingIfNeeded: hash) & (hashes.count - 1)
        if hashes[slot] == hash, Self.equal(&strings[slot], bytes) { return strings[slot] }
        let string = String(decoding: bytes, as: UTF8.self)
        hashes[slot] = hash
        strings[slot] = string
        return string
    }

    private static func equal(_ string: inout String, _ bytes: UnsafeRawBufferPointer) -> Bool {
        string.withUTF8 { utf8 in
            utf8.count == bytes.count && (bytes.isEmpty || memcmpEqual(UnsafeRawBufferPointer(utf8), bytes))
        }
    }

    private static func memcmpEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset + 8 <= a.count {
            if a.loadUnaligned(fromByteOffset: offset, as: UInt64.self) != b.loadUnaligned(fromByteOffset: offset, as: UInt64.self) {
                return false
            }
            offset += 8
        }
        while offset < a.count {
            if a[offset] != b[offset] { return false }
            offset += 1
        }
        return true
    }

    /// Word-at-a-time multiply-xor hash; a false match (an empty slot's 0
    /// included) is caught by the byte compare.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = Fingerprint.mix(0x243F_6A88_85A3_08D3, UInt64(bytes.count))
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = Fingerprint.mix(hash, bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        return Fingerprint.mix(hash, tail)
    }
}
