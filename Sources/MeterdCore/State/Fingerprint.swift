/// A fast 64-bit fingerprint of strings, word at a time, for keys hashed on
/// every event (`RollupGroupKey`, the `SlotTable` keys, which seed it per
/// process). Not stable across versions and never persisted: it spares
/// hashing whole strings and lets equality reject most mismatches with one
/// comparison.
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

    /// `fold` of the `count` bytes at `base`, which are followed by zero
    /// bytes up to the next multiple of 8 (an inline `EventID`): the
    /// remaining 0–7 bytes are already their zero-padded word, read whole.
    @inline(__always)
    static func fold<State>(
        zeroPadded base: UnsafeRawPointer, count: Int, into state: inout State, _ step: (inout State, UInt64) -> Void
    ) {
        step(&state, UInt64(count))
        let fullWords = count &>> 3
        for index in 0..<fullWords {
            step(&state, UInt64(littleEndian: base.load(fromByteOffset: index &* 8, as: UInt64.self)))
        }
        step(&state, count & 7 == 0 ? 0 : UInt64(littleEndian: base.load(fromByteOffset: fullWords &* 8, as: UInt64.self)))
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
        step(&state, tail(raw, from: offset))
    }

    /// The bytes from `offset` to the end (0–7 of them) as one zero-padded
    /// little-endian word, read with at most two loads instead of a byte loop.
    /// Buffers shorter than 8 bytes are read from their start: `offset` must then be 0 (as `fold` passes it).
    @inline(__always)
    static func tail(_ raw: UnsafeRawBufferPointer, from offset: Int) -> UInt64 {
        assert(raw.count >= 8 || offset == 0, "a buffer under 8 bytes is read whole")
        let remaining = raw.count &- offset
        guard remaining > 0, let base = raw.baseAddress else { return 0 }
        if raw.count >= 8 {
            // The last 8 bytes, without the ones already absorbed.
            let last = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: raw.count &- 8, as: UInt64.self))
            return last &>> UInt64(8 &* (8 &- remaining))
        }
        // Fewer than 8 bytes in all (offset 0): two overlapping loads; the
        // bytes they share are the same, so OR-ing them is exact.
        if remaining >= 4 {
            let low = UInt64(UInt32(littleEndian: base.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: remaining &- 4, as: UInt32.self)))
            return low | high &<< UInt64(8 &* (remaining &- 4))
        }
        if remaining >= 2 {
            let low = UInt64(UInt16(littleEndian: base.loadUnaligned(as: UInt16.self)))
            let high = UInt64(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: remaining &- 2, as: UInt16.self)))
            return low | high &<< UInt64(8 &* (remaining &- 2))
        }
        return UInt64(base.load(as: UInt8.self))
    }
}
