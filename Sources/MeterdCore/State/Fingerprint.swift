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
        var hash = seed
        FingerprintWords.fold(text, into: &hash) { hash, word in hash = mix(hash, word) }
        return hash
    }
}

/// The words a string's fingerprints (`Fingerprint`, `DedupeFingerprint`)
/// absorb: its UTF-8 length, then its bytes eight at a time (little-endian),
/// then the remaining 0–7 bytes as one zero-padded word. Fixed: dedupe
/// fingerprints built from these words are persisted in state records.
enum FingerprintWords {
    /// Applies `step` to `state` with each word of `text`, in order.
    @inline(__always)
    static func fold<State>(_ text: String, into state: inout State, _ step: (inout State, UInt64) -> Void) {
        // Native strings are contiguous: read in place, with no copy to retain.
        if text.utf8.withContiguousStorageIfAvailable({ fold($0, into: &state, step) }) != nil { return }
        var copy = text
        copy.withUTF8 { fold($0, into: &state, step) }
    }

    @inline(__always)
    static func fold<State>(_ bytes: UnsafeBufferPointer<UInt8>, into state: inout State, _ step: (inout State, UInt64) -> Void) {
        let raw = UnsafeRawBufferPointer(bytes)
        step(&state, UInt64(raw.count))
        var offset = 0
        while offset + 8 <= raw.count {
            step(&state, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < raw.count {
            tail |= UInt64(raw[offset]) << shift
            shift += 8
            offset += 1
        }
        step(&state, tail)
    }
}
