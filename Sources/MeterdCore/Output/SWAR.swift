/// Byte tests on 8 bytes at once (SIMD within a register), for the output
/// encoders' escape scans. Each answers exactly whether some byte of the
/// word qualifies, not which one.
enum SWAR {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether some byte of `word` is below `limit` (at most 0x80).
    @inline(__always)
    static func hasByte(below limit: UInt8, _ word: UInt64) -> Bool {
        (word &- ones &* UInt64(limit)) & ~word & highBits != 0
    }

    /// Whether some byte of `word` equals `byte`.
    @inline(__always)
    static func hasByte(_ byte: UInt8, _ word: UInt64) -> Bool {
        let folded = word ^ (ones &* UInt64(byte))
        return (folded &- ones) & ~folded & highBits != 0
    }
}
