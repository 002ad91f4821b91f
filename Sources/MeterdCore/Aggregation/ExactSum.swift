/// An exact running sum of doubles whose rounded value does not depend on
/// the order the terms were added in.
///
/// Plain floating-point addition is not associative, so `0.1 + 0.2 + 0.3`
/// and `0.3 + 0.2 + 0.1` differ in the last bit; a rollup must equal the
/// aggregate of its events whatever order the partitions were read in. The
/// sum is kept as non-overlapping partials (Shewchuk's algorithm, as in
/// Python's `math.fsum`) and rounded correctly once when read.
public struct ExactSum: Sendable, Equatable {
    // The partials are `head` then `tail`: the first one is stored inline, so
    // the usual sum (one partial: integer counts and token totals) is updated
    // without reaching a heap array, a cache miss of its own on the ingest
    // path. Canonical (`head` 0 and `tail` empty when there are none), so the
    // synthesized `==` compares the partials.
    /// partials[0], when `partialCount` > 0; 0 otherwise.
    private var head: Double = 0
    /// The number of partials (before `tail`: the usual addition reads only these two).
    public private(set) var partialCount = 0
    /// partials[1...].
    private var tail: [Double] = []

    public init() {}

    /// Restores a sum from its partials (snapshot restore).
    public init(partials: [Double]) {
        partialCount = partials.count
        if let first = partials.first {
            head = first
            tail = Array(partials.dropFirst())
        }
    }

    /// Non-overlapping partials, increasing magnitude; usually one element.
    /// Builds an array: the encoders use `partialCount` and `forEachPartial`.
    public var partials: [Double] {
        partialCount == 0 ? [] : [head] + tail
    }

    /// Calls `body` with each partial, in order, without building an array.
    @inline(__always)
    public func forEachPartial(_ body: (Double) -> Void) {
        guard partialCount > 0 else { return }
        body(head)
        for partial in tail { body(partial) }
    }

    @inline(__always)
    private func partial(_ index: Int) -> Double {
        index == 0 ? head : tail[index - 1]
    }

    @inline(__always)
    private mutating func setPartial(_ index: Int, _ value: Double) {
        if index == 0 { head = value } else { tail[index - 1] = value }
    }

    public mutating func add(_ value: Double) {
        // One partial and an exact addition (integer counts): the common case,
        // which the loop below would also reduce to one partial `hi`.
        if partialCount == 1 {
            var x = value
            var y = head
            if abs(x) < abs(y) { swap(&x, &y) }
            let hi = x + y
            if y - (hi - x) == 0 {
                head = hi
                return
            }
        }
        var x = value
        var kept = 0
        for index in 0..<partialCount {
            var y = partial(index)
            if abs(x) < abs(y) { swap(&x, &y) }
            let hi = x + y
            let lo = y - (hi - x)
            if lo != 0 {
                // kept <= index: the partials still to read are not overwritten.
                setPartial(kept, lo)
                kept += 1
            }
            x = hi
        }
        // partials[..<kept] + [x], without a range removal in the usual cases
        // (an empty sum; the one partial kept or absorbed).
        if kept == partialCount {
            if partialCount == 0 { head = x } else { tail.append(x) }
        } else {
            if kept < tail.count { tail.removeSubrange(kept...) }
            setPartial(kept, x)
        }
        partialCount = kept + 1
    }

    /// The correctly rounded sum.
    public var value: Double {
        var n = partialCount
        guard n > 0 else { return 0 }
        n -= 1
        var hi = partial(n)
        var lo = 0.0
        while n > 0 {
            let x = hi
            n -= 1
            let y = partial(n)
            hi = x + y
            let yr = hi - x
            lo = y - yr
            if lo != 0 { break }
        }
        // Round half-even across the remaining partials (fsum's correction).
        if n > 0, (lo < 0 && partial(n - 1) < 0) || (lo > 0 && partial(n - 1) > 0) {
            let y = lo * 2
            let x = hi + y
            if y == x - hi { hi = x }
        }
        return hi
    }
}
