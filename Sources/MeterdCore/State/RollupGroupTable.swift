/// The rollup groups of one customer window: keys and states in two dense
/// arrays, indexed by an open-addressing table of key fingerprints.
///
/// The hot path finds a sample's group from the sample's dimension values
/// (`index(featureIndex:breakdownIndexes:dimensions:)`) without building a
/// `RollupGroupKey`; the key, and its breakdown array, is built only when
/// the group is created. Reads like a dictionary otherwise; equality ignores
/// insertion order.
public struct RollupGroupTable: Sendable, Sequence {
    public private(set) var keys: [RollupGroupKey] = []
    public private(set) var values: [RollupGroupState] = []
    /// Positions in `keys` + 1 (0 = empty), linear probing by fingerprint bits;
    /// a power of two, at most half full.
    private var slots: [Int32] = []
    /// `slots.count - 1` (-1 while there are none), kept inline so a lookup
    /// reaches its slot without reading the slots array's header first.
    private var slotMask = -1
    /// Positions in changelog order (see `encodingOrder()`), or empty until
    /// computed; a cache emptied whenever a group is added or removed.
    private var encodingOrderCache: [Int32] = []
    /// Positions in rollup order (`RollupGroupKey.less`, see
    /// `emissionOrder()`), or empty until computed; emptied like `encodingOrderCache`.
    private var emissionOrderCache: [Int32] = []

    public init() {}

    public init(_ groups: [RollupGroupKey: RollupGroupState]) {
        for (key, state) in groups { self[key] = state }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public subscript(key: RollupGroupKey) -> RollupGroupState? {
        get { index(of: key).map { values[$0] } }
        set {
            if let position = index(of: key) {
                if let newValue { values[position] = newValue } else { remove(at: position) }
            } else if let newValue {
                append(key, newValue)
            }
        }
    }

    /// The position of the group of feature `featureIndex` for a sample with
    /// these dimension values (see `CompiledFeature.breakdown(of:)`), if any.
    @inline(__always)
    func index(featureIndex: Int, breakdownIndexes: UnsafeBufferPointer<Int?>, dimensions: UnsafeBufferPointer<String?>, fingerprint: UInt64) -> Int? {
        let mask = slotMask
        guard mask >= 0 else { return nil }
        // Base addresses only: neither array's header is read.
        return slots.withUnsafeBufferPointer { slots in
            keys.withUnsafeBufferPointer { keys in
                guard let slotAt = slots.baseAddress, let keyAt = keys.baseAddress else { return nil }
                var slot = Int(truncatingIfNeeded: fingerprint) & mask
                while true {
                    let entry = Int(slotAt[slot])
                    if entry == 0 { return nil }
                    // Fields read in place: copying the key would retain its breakdown.
                    let key = keyAt + (entry - 1)
                    if key.pointee.fingerprint == fingerprint, key.pointee.featureIndex == featureIndex,
                       Self.breakdown(of: key, equals: breakdownIndexes, dimensions) {
                        return entry - 1
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    @inline(__always)
    private static func breakdown(
        of key: UnsafePointer<RollupGroupKey>, equals indexes: UnsafeBufferPointer<Int?>, _ dimensions: UnsafeBufferPointer<String?>
    ) -> Bool {
        key.pointee.breakdown.withUnsafeBufferPointer { values in
            guard values.count == indexes.count else { return false }
            for index in values.indices {
                if let position = indexes[index], position < dimensions.count, let dimension = dimensions[position] {
                    guard let value = values[index], value == dimension else { return false }
                } else if values[index] != nil {
                    return false
                }
            }
            return true
        }
    }

    /// Hints the header of the states array, which updating a state in
    /// place reads first (its uniqueness check).
    @inline(__always)
    mutating func prefetchStatesHeader() {
        Prefetch.header(of: &values)
    }

    /// Hints the cache lines of the state at `position` (see `Prefetch`;
    /// `mutating` only to reach the states in place).
    @inline(__always)
    mutating func prefetchState(at position: Int) {
        Prefetch.element(of: &values, at: position, write: true)
    }

    /// The state at `position`, mutated in place.
    subscript(stateAt position: Int) -> RollupGroupState {
        get { values[position] }
        _modify { yield &values[position] }
    }

    /// Makes room for `count` groups in all, so that appending them neither
    /// copies the keys and states nor rebuilds the slots.
    mutating func reserveCapacity(_ count: Int) {
        guard count > keys.count else { return }
        keys.reserveCapacity(count)
        values.reserveCapacity(count)
        var capacity = Swift.max(8, slots.count)
        while count * 2 > capacity { capacity *= 2 }
        if capacity > slots.count { rebuild(capacity: capacity) }
    }

    /// Whether the inline mask matches the slots (the invariant the lookup relies on; for tests).
    var slotMaskMatchesSlots: Bool { slotMask == slots.count - 1 }

    /// How many groups fit before the arrays or the slots must grow.
    var reservedCapacity: Int { Swift.min(keys.capacity, values.capacity, slots.count / 2) }

    /// Appends a group whose key is not in the table; returns its position.
    @discardableResult
    mutating func append(_ key: consuming RollupGroupKey, _ state: consuming RollupGroupState) -> Int {
        if (keys.count + 1) * 2 > slots.count { rebuild(capacity: Swift.max(8, slots.count * 2)) }
        keys.append(key)
        values.append(state)
        encodingOrderCache.removeAll(keepingCapacity: true)
        emissionOrderCache.removeAll(keepingCapacity: true)
        place(keys.count - 1)
        return keys.count - 1
    }

    /// Replaces every key by its interned equal (`BreakdownInterner`): same
    /// fingerprint and value, so the slots and cached orders stay valid.
    mutating func internKeys(_ interner: inout BreakdownInterner) {
        for position in keys.indices { keys[position] = interner.intern(keys[position]) }
    }

    private func index(of key: RollupGroupKey) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: key.fingerprint) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if keys[entry - 1] == key { return entry - 1 }
            slot = (slot + 1) & mask
        }
    }

    private mutating func remove(at position: Int) {
        keys.remove(at: position)
        values.remove(at: position)
        encodingOrderCache.removeAll(keepingCapacity: true)
        emissionOrderCache.removeAll(keepingCapacity: true)
        rebuild(capacity: slots.count)
    }

    private mutating func place(_ position: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: keys[position].fingerprint) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(truncatingIfNeeded: position + 1)
    }

    private mutating func rebuild(capacity: Int) {
        slots = Array(repeating: 0, count: capacity)
        slotMask = capacity - 1
        for position in keys.indices { place(position) }
    }

    /// Positions ordered by key fingerprint, ties by key value: the changelog
    /// order (deterministic, with integer compares). Sorted once per set of groups.
    mutating func encodingOrder() -> [Int32] {
        if encodingOrderCache.count == keys.count { return encodingOrderCache }
        var order = (0..<Int32(truncatingIfNeeded: keys.count)).map { $0 }
        keys.withUnsafeBufferPointer { keys in
            order.sort { a, b in
                let x = keys[Int(a)], y = keys[Int(b)]
                return x.fingerprint != y.fingerprint ? x.fingerprint < y.fingerprint : RollupGroupKey.less(x, y)
            }
        }
        encodingOrderCache = order
        return order
    }

    /// Positions ordered by `RollupGroupKey.less`: the order `flush()` emits
    /// a window's rollups in. Sorted once per set of groups, so a window
    /// revised at every commit is not sorted again each time.
    mutating func emissionOrder() -> [Int32] {
        if emissionOrderCache.count == keys.count { return emissionOrderCache }
        var order = (0..<Int32(truncatingIfNeeded: keys.count)).map { $0 }
        keys.withUnsafeBufferPointer { keys in
            order.sort { a, b in RollupGroupKey.less(keys[Int(a)], keys[Int(b)]) }
        }
        emissionOrderCache = order
        return order
    }

    /// Calls `body` with the keys and the states, mutable in place (no copy of a group).
    mutating func withStates<R>(
        _ body: (UnsafeBufferPointer<RollupGroupKey>, UnsafeMutableBufferPointer<RollupGroupState>) -> R
    ) -> R {
        keys.withUnsafeBufferPointer { keys in values.withUnsafeMutableBufferPointer { body(keys, $0) } }
    }

    public func makeIterator() -> some IteratorProtocol<(key: RollupGroupKey, value: RollupGroupState)> {
        zip(keys, values).lazy.map { (key: $0, value: $1) }.makeIterator()
    }
}

extension RollupGroupTable: Equatable {
    /// Equal as dictionaries: positions depend on insertion history.
    public static func == (a: RollupGroupTable, b: RollupGroupTable) -> Bool {
        guard a.count == b.count else { return false }
        for (key, value) in zip(a.keys, a.values) where b[key] != value { return false }
        return true
    }
}
