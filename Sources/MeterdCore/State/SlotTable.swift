/// A key of a `SlotTable`: equality plus a well-mixed 64-bit hash that is
/// cheap to compute (never persisted; it only places keys in the table).
public protocol SlotTableKey: Equatable, Sendable {
    /// The key's hash, seeded per process (`SlotTableSeed`).
    var slotHash: UInt64 { get }
}

/// The per-process random seed of every `slotHash`: customers are chosen by
/// whoever sends events (with `unknownSubjects: passthrough` a customer is the
/// subject), so fixed placement would let a sender pick keys that collide.
enum SlotTableSeed {
    static let value = UInt64.random(in: .min ... .max)
}

/// A value of a `SlotTable`: `init()` is the cheap placeholder left in a
/// slot while its value is lent out for an in-place mutation.
public protocol SlotTableValue: Equatable, Sendable {
    init()
}

extension String: SlotTableKey {
    /// `Fingerprint.of` the UTF-8 bytes, a word at a time, from the process's seed.
    public var slotHash: UInt64 { Fingerprint.of(self, SlotTableSeed.value) }
}

extension Int64: SlotTableKey {
    /// The value mixed with the process's seed.
    public var slotHash: UInt64 { Fingerprint.mix(UInt64(bitPattern: self), SlotTableSeed.value) }
}

/// A partition's customers (`CustomerTable`) and a customer's windows
/// (`WindowTable`): keys and values in dense arrays (an entry's slot is its
/// position), indexed by an open-addressing table of the keys' hashes.
///
/// `ingest` finds a customer and its window once per record with a few
/// multiplies (`Fingerprint`) instead of SipHashing a `String` and an
/// `Int64` for two `Dictionary` lookups. Reads like a dictionary otherwise;
/// iteration order is unspecified, equality ignores it.
public struct SlotTable<Key: SlotTableKey, Value: SlotTableValue>: Sendable, Sequence {
    /// The keys by slot.
    public private(set) var keys: [Key] = []
    /// The values by slot (mutable in place through `self[slot:]`).
    public private(set) var values: [Value] = []
    /// `slotHash` of each key, by slot.
    private var hashes: [UInt64] = []
    /// Slots + 1 (0 = empty), linear probing by fingerprint bits; a power of
    /// two, at most half full.
    private var buckets: [Int32] = []

    /// An empty table.
    public init() {}

    /// The number of entries.
    public var count: Int { keys.count }
    /// Whether the table has no entries.
    public var isEmpty: Bool { keys.isEmpty }

    /// The slot of `key`, if present: valid until the next removal, which
    /// moves the last entry into the freed slot.
    @inline(__always)
    public func index(forKey key: Key) -> Int? {
        find(key, hash: key.slotHash)
    }

    /// `index(forKey:)`, trying `hint` (a slot the key had before) first:
    /// one key compared instead of a probe through the buckets and hashes.
    @inline(__always)
    func index(forKey key: Key, hint: Int) -> Int? {
        if hint >= 0, hint < keys.count, keys[hint] == key { return hint }
        return find(key, hash: key.slotHash)
    }

    /// Hints the cache lines of the value in `slot` (see `Prefetch`;
    /// `mutating` only to reach the values in place).
    @inline(__always)
    mutating func prefetchValue(at slot: Int) {
        Prefetch.element(of: &values, at: slot)
    }

    /// Reads the value in `slot` in place (a copy of the value would retain
    /// every array it holds); `slot` must be valid.
    @inline(__always)
    func withValue<R>(at slot: Int, _ body: (borrowing Value) -> R) -> R {
        values.withUnsafeBufferPointer { body($0[slot]) }
    }

    /// The value in `slot` (from `index(forKey:)` or `slot(of:default:)`), mutable in place.
    public subscript(slot slot: Int) -> Value {
        get { values[slot] }
        _modify { yield &values[slot] }
    }

    /// The value of `key`; setting nil removes the entry.
    public subscript(key: Key) -> Value? {
        get { index(forKey: key).map { values[$0] } }
        _modify {
            let hash = key.slotHash
            if let slot = find(key, hash: hash) {
                // Moved out and back, so the caller mutates it uniquely.
                var value: Value? = values[slot]
                values[slot] = Value()
                defer {
                    if let value { values[slot] = value } else { remove(at: slot) }
                }
                yield &value
            } else {
                var value: Value?
                defer {
                    if let value { append(key, hash: hash, value) }
                }
                yield &value
            }
        }
    }

    /// The value of `key`, mutated in place; created from `defaultValue` if absent.
    public subscript(key: Key, default defaultValue: @autoclosure () -> Value) -> Value {
        get { self[key] ?? defaultValue() }
        _modify {
            let slot = slot(of: key, default: defaultValue())
            yield &values[slot]
        }
    }

    /// The slot of `key`, appended with `defaultValue` if absent.
    @inline(__always)
    mutating func slot(of key: Key, default defaultValue: @autoclosure () -> Value) -> Int {
        let hash = key.slotHash
        if let slot = find(key, hash: hash) { return slot }
        return append(key, hash: hash, defaultValue())
    }

    @discardableResult
    /// Removes `key`'s entry and returns its value, if present.
    public mutating func removeValue(forKey key: Key) -> Value? {
        guard let slot = index(forKey: key) else { return nil }
        let value = values[slot]
        remove(at: slot)
        return value
    }

    @inline(__always)
    private func find(_ key: Key, hash: UInt64) -> Int? {
        guard !buckets.isEmpty else { return nil }
        return buckets.withUnsafeBufferPointer { buckets in
            hashes.withUnsafeBufferPointer { hashes in
                keys.withUnsafeBufferPointer { keys in
                    let mask = buckets.count - 1
                    var bucket = Int(truncatingIfNeeded: hash) & mask
                    while true {
                        let entry = Int(buckets[bucket])
                        if entry == 0 { return nil }
                        if hashes[entry - 1] == hash, keys[entry - 1] == key { return entry - 1 }
                        bucket = (bucket + 1) & mask
                    }
                }
            }
        }
    }

    @discardableResult
    private mutating func append(_ key: Key, hash: UInt64, _ value: Value) -> Int {
        if (keys.count + 1) * 2 > buckets.count { rebuild(capacity: Swift.max(16, buckets.count * 2)) }
        keys.append(key)
        hashes.append(hash)
        values.append(value)
        place(keys.count - 1)
        return keys.count - 1
    }

    /// Removes slot `slot`; the last slot moves into its place.
    private mutating func remove(at slot: Int) {
        deleteBucket(of: slot)
        let last = keys.count - 1
        if slot != last {
            // Re-point the last entry's bucket to its new slot.
            let mask = buckets.count - 1
            var bucket = Int(truncatingIfNeeded: hashes[last]) & mask
            while Int(buckets[bucket]) != last + 1 { bucket = (bucket + 1) & mask }
            buckets[bucket] = Int32(truncatingIfNeeded: slot + 1)
            keys.swapAt(slot, last)
            hashes.swapAt(slot, last)
            values.swapAt(slot, last)
        }
        keys.removeLast()
        hashes.removeLast()
        values.removeLast()
        if keys.isEmpty { buckets = [] }
    }

    /// Empties the bucket of `slot` by backward-shift deletion (no tombstones).
    private mutating func deleteBucket(of slot: Int) {
        let mask = buckets.count - 1
        var hole = Int(truncatingIfNeeded: hashes[slot]) & mask
        while Int(buckets[hole]) != slot + 1 { hole = (hole + 1) & mask }
        var next = hole
        while true {
            next = (next + 1) & mask
            let entry = Int(buckets[next])
            if entry == 0 { break }
            // The entry may fill the hole if the hole lies on its probe path.
            let home = Int(truncatingIfNeeded: hashes[entry - 1]) & mask
            if (next - home) & mask >= (next - hole) & mask {
                buckets[hole] = buckets[next]
                hole = next
            }
        }
        buckets[hole] = 0
    }

    private mutating func place(_ slot: Int) {
        let mask = buckets.count - 1
        var bucket = Int(truncatingIfNeeded: hashes[slot]) & mask
        while buckets[bucket] != 0 { bucket = (bucket + 1) & mask }
        buckets[bucket] = Int32(truncatingIfNeeded: slot + 1)
    }

    private mutating func rebuild(capacity: Int) {
        buckets = Array(repeating: 0, count: capacity)
        for slot in keys.indices { place(slot) }
    }

    /// The entries in slot order (unspecified, as a dictionary's).
    public func makeIterator() -> some IteratorProtocol<(key: Key, value: Value)> {
        zip(keys, values).lazy.map { (key: $0, value: $1) }.makeIterator()
    }
}

extension SlotTable: Equatable {
    /// Equal as dictionaries: slots depend on insertion history.
    public static func == (a: SlotTable, b: SlotTable) -> Bool {
        guard a.count == b.count else { return false }
        for (key, value) in zip(a.keys, a.values) where b[key] != value { return false }
        return true
    }
}

/// A partition's customers by key.
public typealias CustomerTable = SlotTable<String, CustomerState>

/// A customer's windows by window start.
public typealias WindowTable = SlotTable<Int64, CustomerWindowState>

extension CustomerState: SlotTableValue {}
extension CustomerWindowState: SlotTableValue {}
