/// A customer's live dedupe fingerprints: an open-addressing table with
/// linear probing, indexed by the fingerprint's low bits (already uniformly
/// mixed, so no further hashing), with backward-shift deletion so removals
/// leave no tombstones. 16 bytes per slot, at most 3/4 full.
struct FingerprintSet: Sendable {
    private var slots: [DedupeFingerprint] = []
    private(set) var count = 0
    /// `slots.count - 1` (-1 while unallocated), kept inline so `prefetch`
    /// finds a fingerprint's slot without reading the array's header.
    private var slotMask = -1

    /// Slots allocated, for size estimates.
    var capacity: Int { slots.count }

    /// Hints the cache line of `fingerprint`'s home slot, which `insert`
    /// will read and usually write (see `Prefetch`; `mutating` only to reach
    /// the slots in place).
    @inline(__always)
    mutating func prefetch(_ fingerprint: DedupeFingerprint) {
        guard slotMask >= 0 else { return }
        // `insert` reads the table's header (count, uniqueness) before the slot.
        Prefetch.header(of: &slots)
        Prefetch.element(of: &slots, at: Int(truncatingIfNeeded: fingerprint.low) & slotMask, write: true)
    }

    /// Whether the inline mask matches the slots (the invariant `prefetch` relies on; for tests).
    var hintMaskMatchesCapacity: Bool { slotMask == slots.count - 1 }

    /// Inserts `fingerprint`; `false` when it was already present.
    mutating func insert(_ fingerprint: DedupeFingerprint) -> Bool {
        if (count + 1) * 4 > slots.count * 3 { rehash(capacity: Swift.max(16, slots.count * 2)) }
        let inserted = slots.withUnsafeMutableBufferPointer { Self.place(fingerprint, in: $0) }
        if inserted { count += 1 }
        return inserted
    }

    /// Linear probing from the fingerprint's home slot; `slots` has a free slot.
    @inline(__always)
    private static func place(_ fingerprint: DedupeFingerprint, in slots: UnsafeMutableBufferPointer<DedupeFingerprint>) -> Bool {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: fingerprint.low) & mask
        while true {
            let slot = slots[index]
            if slot.isEmpty {
                slots[index] = fingerprint
                return true
            }
            if slot == fingerprint { return false }
            index = (index + 1) & mask
        }
    }

    func contains(_ fingerprint: DedupeFingerprint) -> Bool {
        find(fingerprint) != nil
    }

    mutating func remove(_ fingerprint: DedupeFingerprint) {
        guard var hole = find(fingerprint) else { return }
        let mask = slots.count - 1
        var next = hole
        while true {
            next = (next + 1) & mask
            let slot = slots[next]
            if slot.isEmpty { break }
            // The entry may fill the hole if the hole lies on its probe path.
            let home = Int(truncatingIfNeeded: slot.low) & mask
            if (next - home) & mask >= (next - hole) & mask {
                slots[hole] = slot
                hole = next
            }
        }
        slots[hole] = .empty
        count -= 1
        if count == 0 {
            slots = []
            slotMask = -1
        } else if slots.count > 16, count * 8 < slots.count {
            rehash(capacity: slots.count / 2)
        }
    }

    private func find(_ fingerprint: DedupeFingerprint) -> Int? {
        guard count > 0 else { return nil }
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: fingerprint.low) & mask
        while true {
            let slot = slots[index]
            if slot.isEmpty { return nil }
            if slot == fingerprint { return index }
            index = (index + 1) & mask
        }
    }

    /// Moves the entries into `capacity` slots, in slot order (the layout
    /// inserting them one by one would give, without a capacity check each).
    private mutating func rehash(capacity: Int) {
        var fresh = [DedupeFingerprint](repeating: .empty, count: capacity)
        fresh.withUnsafeMutableBufferPointer { target in
            for slot in slots where !slot.isEmpty { _ = Self.place(slot, in: target) }
        }
        slots = fresh
        slotMask = capacity - 1
    }
}

extension FingerprintSet: Equatable {
    /// Equal as sets: the slot layout depends on insertion history.
    static func == (a: FingerprintSet, b: FingerprintSet) -> Bool {
        a.count == b.count && a.slots.allSatisfy { $0.isEmpty || b.contains($0) }
    }
}
