/// The configured subjects by their UTF-8 bytes, so a record's subject is
/// resolved to its customer (and to the configured `String`, shared rather
/// than decoded again) without building a `String` or hashing one.
///
/// Open addressing over a word-at-a-time hash of the bytes; a bucket holds
/// the hash and where the key's bytes are, so a probe touches no `String`
/// until the bytes compare equal. A miss means only "no subject with these
/// exact bytes", so callers still ask `CustomerDirectory` by `String`, which
/// also matches canonically equivalent spellings.
struct SubjectTable: Sendable {
    private struct Bucket: Sendable {
        /// Entry number, or -1 for an empty bucket.
        var entry: Int32 = -1
        var keyLength: Int32 = 0
        var keyStart = 0
        var hash: UInt64 = 0
    }

    private let resolved: [(subject: String, customer: String)]
    private let keyBytes: [UInt8]
    /// The count is a power of two, at least twice the entries.
    private let buckets: [Bucket]

    /// - Parameter pairs: each configured subject and the customer the
    ///   directory gives it; duplicates by bytes keep the first.
    init(_ pairs: [(subject: String, customer: String)]) {
        var capacity = 16
        while capacity < 2 * pairs.count { capacity *= 2 }
        var buckets = [Bucket](repeating: Bucket(), count: capacity)
        var resolved: [(subject: String, customer: String)] = []
        var keyBytes: [UInt8] = []
        for (subject, customer) in pairs {
            let utf8 = Array(subject.utf8)
            let hash = utf8.withUnsafeBufferPointer { Self.hash($0) }
            var slot = Int(truncatingIfNeeded: hash) & (capacity - 1)
            var duplicate = false
            while buckets[slot].entry >= 0 {
                let existing = buckets[slot]
                if existing.hash == hash,
                   keyBytes[existing.keyStart..<existing.keyStart + Int(existing.keyLength)].elementsEqual(utf8) {
                    duplicate = true
                    break
                }
                slot = (slot + 1) & (capacity - 1)
            }
            if duplicate { continue }
            buckets[slot] = Bucket(
                entry: Int32(resolved.count), keyLength: Int32(utf8.count), keyStart: keyBytes.count, hash: hash
            )
            resolved.append((subject, customer))
            keyBytes.append(contentsOf: utf8)
        }
        self.resolved = resolved
        self.keyBytes = keyBytes
        self.buckets = buckets
    }

    /// A hash of `bytes` read 8 bytes at a time (subjects are short: one or
    /// two loads), mixed so that its low bits pick the bucket.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let count = bytes.count
        var hash = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: count)
        guard let start = bytes.baseAddress, count > 0 else { return mix(hash) }
        let base = UnsafeRawPointer(start)
        if count >= 8 {
            var offset = 0
            while offset + 8 < count {
                hash = mix(hash ^ base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            return mix(hash ^ base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
        }
        if count >= 4 {
            let low = UInt64(base.loadUnaligned(as: UInt32.self))
            let high = UInt64(base.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            return mix(hash ^ (low | high << 32))
        }
        let word = UInt64(start[0]) | UInt64(start[count >> 1]) << 8 | UInt64(start[count - 1]) << 16
        return mix(hash ^ word)
    }

    /// SplitMix64's finalizer: a bijection in which every input bit reaches
    /// the low bits (a plain multiply would leave the digits of `team-123`,
    /// in the high bytes of a little-endian load, out of the bucket number).
    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        var x = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }

    /// The configured subject spelled exactly `bytes`, and its customer.
    func lookUp(_ bytes: UnsafeBufferPointer<UInt8>) -> (subject: String, customer: String)? {
        guard !resolved.isEmpty else { return nil }
        let hash = Self.hash(bytes)
        let found: Int32 = buckets.withUnsafeBufferPointer { buckets in
            keyBytes.withUnsafeBufferPointer { keys in
                let mask = buckets.count - 1
                var slot = Int(truncatingIfNeeded: hash) & mask
                while true {
                    let bucket = buckets[slot]
                    guard bucket.entry >= 0 else { return -1 }
                    if bucket.hash == hash, Int(bucket.keyLength) == bytes.count,
                       bytes.isEmpty || memoryEquals(keys.baseAddress.map { $0 + bucket.keyStart }, bytes) {
                        return bucket.entry
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
        return found >= 0 ? resolved[Int(found)] : nil
    }

    @inline(__always)
    private func memoryEquals(_ stored: UnsafePointer<UInt8>?, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let stored, let base = bytes.baseAddress else { return false }
        let left = UnsafeRawPointer(stored)
        let right = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= bytes.count {
            if left.loadUnaligned(fromByteOffset: i, as: UInt64.self) != right.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i += 8
        }
        while i < bytes.count {
            if stored[i] != base[i] { return false }
            i += 1
        }
        return true
    }
}
