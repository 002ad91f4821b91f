/// The configured subjects by their UTF-8 bytes, so a record's subject is
/// resolved to its customer (and to the configured `String`, shared rather
/// than decoded again) without building a `String` or hashing one.
///
/// Open addressing over FNV-1a hashes; a miss means only "no subject with
/// these exact bytes", so callers still ask `CustomerDirectory` by `String`,
/// which also matches canonically equivalent spellings.
struct SubjectTable: Sendable {
    private struct Entry: Sendable {
        let hash: UInt64
        let keyStart: Int
        let keyLength: Int
        let subject: String
        let customer: String
    }

    private let entries: [Entry]
    private let keyBytes: [UInt8]
    /// Entry numbers (or -1); the count is a power of two, at least twice the entries.
    private let buckets: [Int32]

    /// - Parameter pairs: each configured subject and the customer the
    ///   directory gives it; duplicates by bytes keep the first.
    init(_ pairs: [(subject: String, customer: String)]) {
        var capacity = 16
        while capacity < 2 * pairs.count { capacity *= 2 }
        var buckets = [Int32](repeating: -1, count: capacity)
        var entries: [Entry] = []
        var keyBytes: [UInt8] = []
        for (subject, customer) in pairs {
            let utf8 = Array(subject.utf8)
            let hash = utf8.withUnsafeBufferPointer { Self.hash($0) }
            var slot = Int(truncatingIfNeeded: hash) & (capacity - 1)
            var duplicate = false
            while buckets[slot] >= 0 {
                let existing = entries[Int(buckets[slot])]
                if existing.hash == hash, keyBytes[existing.keyStart..<existing.keyStart + existing.keyLength].elementsEqual(utf8) {
                    duplicate = true
                    break
                }
                slot = (slot + 1) & (capacity - 1)
            }
            if duplicate { continue }
            buckets[slot] = Int32(entries.count)
            entries.append(Entry(hash: hash, keyStart: keyBytes.count, keyLength: utf8.count, subject: subject, customer: customer))
            keyBytes.append(contentsOf: utf8)
        }
        self.entries = entries
        self.keyBytes = keyBytes
        self.buckets = buckets
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// The configured subject spelled exactly `bytes`, and its customer.
    func lookUp(_ bytes: UnsafeBufferPointer<UInt8>) -> (subject: String, customer: String)? {
        guard !entries.isEmpty else { return nil }
        let hash = Self.hash(bytes)
        let mask = buckets.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        return keyBytes.withUnsafeBufferPointer { keys in
            while true {
                let index = Int(buckets[slot])
                guard index >= 0 else { return nil }
                let entry = entries[index]
                if entry.hash == hash, entry.keyLength == bytes.count,
                   bytes.isEmpty || memoryEquals(keys.baseAddress.map { $0 + entry.keyStart }, bytes) {
                    return (entry.subject, entry.customer)
                }
                slot = (slot + 1) & mask
            }
        }
    }

    @inline(__always)
    private func memoryEquals(_ stored: UnsafePointer<UInt8>?, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let stored, let base = bytes.baseAddress else { return false }
        var i = 0
        while i < bytes.count {
            if stored[i] != base[i] { return false }
            i += 1
        }
        return true
    }
}
