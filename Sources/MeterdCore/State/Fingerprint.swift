/// A fast 64-bit fingerprint of strings, word at a time, for keys hashed on
/// every event (`RollupGroupKey`). Not stable across versions
/// and never persisted: `Hasher` still seeds the table's hashing, the
/// fingerprint only spares it hashing whole strings and lets equality
/// reject most mismatches with one comparison.
enum Fingerprint {
    @inline(__always)
    static func mix(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        let product = (hash ^ word).multipliedFullWidth(by: 0x9E37_79B9_7F4A_7C15)
        return product.high ^ product.low
    }

    /// Fingerprint of `text`'s UTF-8 bytes and its length, continuing `seed`.
    static func of(_ text: String, _ seed: UInt64 = 0x243F_6A88_85A3_08D3) -> UInt64 {
        // Native strings are contiguous: read in place, with no copy to retain.
        if let hash = text.utf8.withContiguousStorageIfAvailable({ of($0, seed) }) { return hash }
        var copy = text
        return copy.withUTF8 { of($0, seed) }
    }

    @inline(__always)
    private static func of(_ bytes: UnsafeBufferPointer<UInt8>, _ seed: UInt64) -> UInt64 {
        let raw = UnsafeRawBufferPointer(bytes)
        var hash = mix(seed, UInt64(raw.count))
        var offset = 0
        while offset + 8 <= raw.count {
            hash = mix(hash, raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < raw.count {
            tail |= UInt64(raw[offset]) << shift
            shift += 8
            offset += 1
        }
        return mix(hash, tail)
    }
}
