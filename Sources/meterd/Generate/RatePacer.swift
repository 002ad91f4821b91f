/// A token bucket on the monotonic clock that paces sends to a target rate
/// without busy-spinning: it says how many records may go now, or how long
/// to sleep until the next one may.
struct RatePacer {
    /// Events per second; 0 means unpaced.
    let rate: Double
    /// Most tokens that can pile up (50 ms worth), so a stall is not
    /// followed by an unbounded burst.
    private let capacity: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant
    private static let unpacedBatch = 1_000

    init(rate: Double, start: ContinuousClock.Instant) {
        self.rate = rate
        capacity = max(1, rate * 0.05)
        tokens = 1
        last = start
    }

    /// Records that may be sent at `now`; the caller reports what it sent with `consume`.
    mutating func available(at now: ContinuousClock.Instant) -> Int {
        guard rate > 0 else { return Self.unpacedBatch }
        tokens = min(capacity, tokens + (now - last).seconds * rate)
        last = now
        return Int(tokens)
    }

    mutating func consume(_ count: Int) {
        guard rate > 0 else { return }
        tokens -= Double(count)
    }

    /// How long until the next token, at least 1 ms so sleeps stay cheap.
    var waitForNext: Duration {
        guard rate > 0 else { return .zero }
        let seconds = max(0.001, (1 - tokens) / rate)
        return .microseconds(Int64(seconds * 1_000_000))
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
