/// Stream time of one aggregation partition: the greatest event time seen,
/// pushed forward by wall-clock idleness (SPEC section 4).
///
/// The wall clock is a parameter: the pipeline passes `now` to
/// `advance(wallClockMillis:)`, tests pass a manual clock.
public struct StreamClock: Sendable, Equatable {
    public private(set) var streamTimeMillis: Int64?
    public let idleTimeoutMillis: Int64
    /// Wall-clock time of the last `advance` that followed a record.
    private var lastActivityWallClock: Int64?
    /// Idle time beyond the timeout already added to stream time since then.
    private var creditedIdleMillis: Int64 = 0
    private var sawRecordSinceAdvance = false

    public init(idleTimeoutMillis: Int64, streamTimeMillis: Int64? = nil) {
        self.idleTimeoutMillis = max(0, idleTimeoutMillis)
        self.streamTimeMillis = streamTimeMillis
    }

    /// Records an event; stream time never goes back.
    public mutating func observe(eventTimeMillis: Int64) {
        sawRecordSinceAdvance = true
        if let current = streamTimeMillis, current >= eventTimeMillis { return }
        streamTimeMillis = eventTimeMillis
    }

    /// Re-arms the idle timer at the next `advance`, as if a record had just
    /// arrived: used after a restore so downtime does not count as idleness.
    public mutating func rearmIdleTimer() {
        sawRecordSinceAdvance = true
    }

    /// Moves stream time back to `millis` (never forward) for an ops replay,
    /// which re-reads older input; the idle timer re-arms.
    public mutating func rewind(to millis: Int64) {
        if let current = streamTimeMillis, current > millis { streamTimeMillis = millis }
        sawRecordSinceAdvance = true
        creditedIdleMillis = 0
    }

    /// Moves stream time forward by the wall-clock time elapsed beyond the
    /// idle timeout since the last record (not to "now").
    /// - Returns: whether stream time changed.
    @discardableResult
    public mutating func advance(wallClockMillis now: Int64) -> Bool {
        if sawRecordSinceAdvance || lastActivityWallClock == nil {
            sawRecordSinceAdvance = false
            lastActivityWallClock = now
            creditedIdleMillis = 0
            return false
        }
        guard let since = lastActivityWallClock, let streamTime = streamTimeMillis else { return false }
        let idleBeyondTimeout = TimeArithmetic.subtract(TimeArithmetic.subtract(now, since), idleTimeoutMillis)
        guard idleBeyondTimeout > creditedIdleMillis else { return false }
        streamTimeMillis = TimeArithmetic.add(streamTime, idleBeyondTimeout - creditedIdleMillis)
        creditedIdleMillis = idleBeyondTimeout
        return true
    }
}
