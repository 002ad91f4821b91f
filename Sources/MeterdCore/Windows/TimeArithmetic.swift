/// Integer time arithmetic that never traps on extreme event times.
///
/// Event times come from untrusted input; a record stamped near
/// `Int64.max` must not crash the processor, so sums saturate.
enum TimeArithmetic {
    /// `floor(a / b)` for `b > 0`, correct for negative `a`.
    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && a < 0) ? quotient - 1 : quotient
    }

    /// `a + b`, clamped to the `Int64` range.
    static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard overflow else { return sum }
        return b > 0 ? .max : .min
    }

    /// `a - b`, clamped to the `Int64` range.
    static func subtract(_ a: Int64, _ b: Int64) -> Int64 {
        let (difference, overflow) = a.subtractingReportingOverflow(b)
        guard overflow else { return difference }
        return b < 0 ? .max : .min
    }

    /// `floor(t / unit) * unit`, clamped instead of overflowing.
    static func alignDown(_ t: Int64, to unit: Int64) -> Int64 {
        let (start, overflow) = floorDivide(t, unit).multipliedReportingOverflow(by: unit)
        return overflow ? .min : start
    }
}
