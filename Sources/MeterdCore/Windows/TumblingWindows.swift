/// Epoch-aligned tumbling window arithmetic of SPEC section 4: which window
/// an event falls in, when a window is emitted and when its state is dropped.
public struct TumblingWindows: Sendable, Equatable {
    public let sizeMillis: Int64
    public let graceMillis: Int64
    public let allowedLatenessMillis: Int64

    /// Non-positive sizes become 1 ms and negative grace/lateness 0, so a
    /// configuration that slipped past validation cannot trap.
    public init(_ settings: WindowSettings) {
        sizeMillis = max(1, settings.sizeMillis)
        graceMillis = max(0, settings.graceMillis)
        allowedLatenessMillis = max(0, settings.allowedLatenessMillis)
    }

    /// `floor(eventTime / size) * size`; an event exactly at a window's end
    /// belongs to the next window.
    public func windowStart(containing eventTimeMillis: Int64) -> Int64 {
        TimeArithmetic.alignDown(eventTimeMillis, to: sizeMillis)
    }

    public func windowEnd(ofStart start: Int64) -> Int64 {
        TimeArithmetic.add(start, sizeMillis)
    }

    /// The window is emitted (revision 1) once stream time ≥ this.
    public func closeTime(ofStart start: Int64) -> Int64 {
        TimeArithmetic.add(windowEnd(ofStart: start), graceMillis)
    }

    /// The window's state is dropped, and its events are `too_late`, once
    /// stream time ≥ this.
    public func expiryTime(ofStart start: Int64) -> Int64 {
        TimeArithmetic.add(closeTime(ofStart: start), allowedLatenessMillis)
    }

    /// Whether an event at `eventTimeMillis` can still be accepted at `streamTimeMillis`.
    public func accepts(eventTimeMillis: Int64, streamTimeMillis: Int64?) -> Bool {
        guard let streamTimeMillis else { return true }
        return streamTimeMillis < expiryTime(ofStart: windowStart(containing: eventTimeMillis))
    }
}
