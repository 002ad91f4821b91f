/// FNV-1a 128-bit (the published FNV parameters), used for deterministic
/// CloudEvent ids. Unlike Swift's `Hasher` it is not seeded per process, so
/// the same fields give the same id on every run and machine.
public enum StableHash {
    static let offsetBasis: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
    static let prime: UInt128 = 0x0000_0000_0100_0000_0000_0000_0000_013B

    public static func fnv1a128(_ bytes: [UInt8]) -> UInt128 {
        var hash = FNV1a128()
        bytes.withUnsafeBufferPointer { hash.absorb($0) }
        return hash.value
    }

    /// 32 lowercase hex digits.
    public static func hex(_ value: UInt128) -> String {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBufferPointer { writeHex(value, into: $0) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the 32 lowercase hex digits of `value` to `bytes`.
    static func appendHex(_ value: UInt128, to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
            writeHex(value, into: digits)
            bytes.append(contentsOf: UnsafeBufferPointer(digits))
        }
    }

    static func writeHex(_ value: UInt128, into out: UnsafeMutableBufferPointer<UInt8>) {
        var v = value
        for position in stride(from: 31, through: 0, by: -1) {
            let nibble = UInt8(truncatingIfNeeded: v & 0xF)
            out[position] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
            v >>= 4
        }
    }
}

/// A running FNV-1a 128-bit hash, fed the same bytes `BinaryWriter` would
/// write, so ids are computed without building the field buffer.
struct FNV1a128 {
    private(set) var value = StableHash.offsetBasis

    @inline(__always)
    mutating func absorb(_ byte: UInt8) {
        value ^= UInt128(byte)
        value = value &* StableHash.prime
    }

    mutating func absorb(_ bytes: UnsafeBufferPointer<UInt8>) {
        var hash = value
        for byte in bytes {
            hash ^= UInt128(byte)
            hash = hash &* StableHash.prime
        }
        value = hash
    }

    /// As `BinaryWriter.write(varint:)`.
    mutating func absorb(varint: UInt64) {
        var v = varint
        while v >= 0x80 {
            absorb(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        absorb(UInt8(v))
    }

    /// As `BinaryWriter.write(zigzag:)`.
    mutating func absorb(zigzag value: Int64) {
        absorb(varint: UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// As `BinaryWriter.write(_: String)`: the UTF-8 length, then the bytes.
    mutating func absorb(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            absorb(varint: UInt64(utf8.count))
            absorb(utf8)
        }
    }
}
