/// FNV-1a 128-bit (the published FNV parameters), used for deterministic
/// CloudEvent ids. Unlike Swift's `Hasher` it is not seeded per process, so
/// the same fields give the same id on every run and machine.
public enum StableHash {
    static let offsetBasis: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
    static let prime: UInt128 = 0x0000_0000_0100_0000_0000_0000_0000_013B

    public static func fnv1a128(_ bytes: [UInt8]) -> UInt128 {
        var hash = offsetBasis
        for byte in bytes {
            hash ^= UInt128(byte)
            hash = hash &* prime
        }
        return hash
    }

    /// 32 lowercase hex digits.
    public static func hex(_ value: UInt128) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: 32)
        var v = value
        for position in stride(from: 31, through: 0, by: -1) {
            out[position] = digits[Int(v & 0xF)]
            v >>= 4
        }
        return String(decoding: out, as: UTF8.self)
    }
}
