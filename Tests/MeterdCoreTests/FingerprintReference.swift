@testable import MeterdCore

/// `Fingerprint.of` computed byte by byte, the reference the word-at-a-time
/// implementation is tested against: the length, then 8-byte little-endian
/// words, then the 0-7 remaining bytes as one zero-padded word.
enum FingerprintReference {
    static func of(_ bytes: [UInt8], _ seed: UInt64) -> UInt64 {
        var hash = Fingerprint.mix(seed, UInt64(bytes.count))
        var offset = 0
        while offset + 8 <= bytes.count {
            var word: UInt64 = 0
            for index in 0..<8 { word |= UInt64(bytes[offset + index]) << UInt64(8 * index) }
            hash = Fingerprint.mix(hash, word)
            offset += 8
        }
        var tail: UInt64 = 0
        for (index, byte) in bytes[offset...].enumerated() { tail |= UInt64(byte) << UInt64(8 * index) }
        return Fingerprint.mix(hash, tail)
    }
}
