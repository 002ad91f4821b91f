/// A window's changelog keys, kept between commits: a window changed at
/// many commits gets its record key, and the key of the dedupe chunk it
/// fills, allocated once instead of at every commit. A key depends only on
/// the customer, the window start and the chunk number, none of which
/// changes while the window lives. A cache, not state.
struct WindowKeyCache: Sendable {
    private var windowKey: [UInt8] = []
    private var chunk = -1
    private var chunkKey: [UInt8] = []

    /// `StateKey.window(customer:windowStart:).bytes`.
    mutating func window(customer: String, windowStart: Int64) -> [UInt8] {
        if windowKey.isEmpty { windowKey = StateKey.window(customer: customer, windowStart: windowStart).bytes }
        return windowKey
    }

    /// `StateKey.dedupeChunk(customer:windowStart:chunk:).bytes`; the last chunk asked for is kept.
    mutating func dedupeChunk(customer: String, windowStart: Int64, chunk: Int) -> [UInt8] {
        if chunk != self.chunk || chunkKey.isEmpty {
            chunkKey = StateKey.dedupeChunk(customer: customer, windowStart: windowStart, chunk: chunk).bytes
            self.chunk = chunk
        }
        return chunkKey
    }
}
