/// An exact running sum of doubles whose rounded value does not depend on
/// the order the terms were added in.
///
/// Plain floating-point addition is not associative, so `0.1 + 0.2 + 0.3`
/// and `0.3 + 0.2 + 0.1` differ in the last bit; a rollup must equal the
/// aggregate of its events whatever order the partitions were read in. The
/// sum is kept as non-overlapping partials (Shewchuk's algorithm, as in
/// Python's `math.fsum`) and rounded correctly once when read.
public struct ExactSum: Sendable, Equatable {
    /// Non-overlapping partials, increasing magnitude; usually one element.
    public private(set) var partials: [Double]

    public init() { partials = [] }

    /// Restores a sum from its partials (snapshot restore).
    public init(partials: [Double]) { self.partials = partials }

    public mutating func add(_ value: Double) {
        // One partial and an exact addition (integer counts): the common case,
        // which the loop below would also reduce to one partial `hi`.
        if partials.count == 1 {
            var x = value
            var y = partials[0]
            if abs(x) < abs(y) { swap(&x, &y) }
            let hi = x + y
            if y - (hi - x) == 0 {
                partials[0] = hi
                return
            }
        }
        var x = value
        var kept = 0
        for index in partials.indices {
            var y = partials[index]
            if abs(x) < abs(y) { swap(&x, &y) }
            let hi = x + y
            let lo = y - (hi - x)
            if lo != 0 {
                partials[kept] = lo
                kept += 1
            }
            x = hi
        }
        // partials[..<kept] + [x], without a range removal in the usual cases
        // (an empty sum; the one partial kept or absorbed).
        if kept == partials.count {
            partials.append(x)
        } else {
            if kept + 1 < partials.count { partials.removeSubrange((kept + 1)...) }
            partials[kept] = x
        }
    }

    /// The correctly rounded sum.
    public var value: Double {
        var n = partials.count
        guard n > 0 else { return 0 }
        n -= 1
        var hi = partials[n]
        var lo = 0.0
        while n > 0 {
            let x = hi
            n -= 1
            let y = partials[n]
            hi = x + y
            let yr = hi - x
            lo = y - yr
            if lo != 0 { break }
        }
        // Round half-even across the remaining partials (fsum's correction).
        if n > 0, (lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0) {
            let y = lo * 2
            let x = hi + y
            if y == x - hi { hi = x }
        }
        return hi
    }
}
