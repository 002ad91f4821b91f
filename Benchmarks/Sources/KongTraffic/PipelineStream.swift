/// An endless, deterministic stream of Kong records for the pipeline
/// benchmark, built from a pool of generated records whose `request.id` and
/// `started_at` are rewritten in place for each event.
///
/// Event `i` happens at `startMillis + i * millisPerEvent` (1,000 events per
/// second of event time by default), except that 1% arrive up to 90 s late
/// (landing in already emitted windows: late revisions) and 1% are exact
/// redeliveries of an event 37 positions earlier (dedupe hits). A stream long
/// enough to pass windowEnd + grace + allowedLateness reaches the steady state
/// where windows open, close and expire at the same pace.
///
/// The pool lives in one buffer, shared by copies of the stream (use a
/// stream on one thread), that `withRecord` rewrites through a pointer:
/// the harness's own per-event cost (a few dozen stores) stays out of the
/// figures it measures, with no uniqueness checks of nested arrays, no lazy
/// globals and no bounds checks per digit.
public struct PipelineStream {
    /// Where one event's bytes come from and what is written into them.
    public struct Event: Equatable {
        public var poolIndex: Int
        /// Mixed (a bijection, so ids stay unique) into the first 16 hex
        /// digits of `request.id`, which then look as random as Kong's.
        public var sequence: UInt64
        public var timeMillis: Int64
    }

    /// The pooled records, back to back in one allocation that lives as long as the stream.
    private final class Pool {
        let bytes: UnsafeMutablePointer<UInt8>
        /// Offset of each record in `bytes`, plus the end of the last one.
        let starts: [Int]

        init(_ records: [[UInt8]]) {
            var starts = [0]
            for record in records { starts.append(starts[starts.count - 1] + record.count) }
            let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, starts[starts.count - 1]))
            for (index, record) in records.enumerated() {
                record.withUnsafeBufferPointer { (bytes + starts[index]).update(from: $0.baseAddress!, count: $0.count) }
            }
            self.bytes = bytes
            self.starts = starts
        }

        deinit { bytes.deallocate() }
    }

    public let startMillis: Int64
    public let millisPerEvent: Int64
    private let pool: Pool
    private let poolSize: Int
    private static let idOffset = 18
    /// `started_at`'s 13 digits end this many bytes before the record's end (`…,"started_at":<13 digits>}`).
    private static let timeFromEnd = 14

    public init(seed: UInt64, poolSize: Int = 16_384, consumerCount: Int, startMillis: Int64 = 1_735_689_600_000, millisPerEvent: Int64 = 1) {
        var generator = KongTrafficGenerator(seed: seed, startMillis: startMillis, consumerCount: consumerCount)
        pool = Pool(generator.records(count: poolSize))
        self.poolSize = poolSize
        self.startMillis = startMillis
        self.millisPerEvent = millisPerEvent
    }

    public var averageRecordBytes: Int { pool.starts[poolSize] / max(1, poolSize) }

    public func event(at index: Int) -> Event {
        if index >= 37, Self.mix(UInt64(index)) % 100 == 0 { return original(at: index - 37) }
        return original(at: index)
    }

    private func original(at index: Int) -> Event {
        let hash = Self.mix(UInt64(index) ^ 0x5DEE_CE66_D1CE_4E5B)
        var time = startMillis + Int64(index) * millisPerEvent
        if hash % 100 == 0 { time -= Int64((hash >> 8) % 90_000) }
        return Event(poolIndex: index % poolSize, sequence: UInt64(index), timeMillis: time)
    }

    /// Rewrites the pooled record of event `index` and lends its bytes to `body`.
    public mutating func withRecord<R>(at index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let event = event(at: index)
        let start = pool.starts[event.poolIndex]
        let count = pool.starts[event.poolIndex + 1] - start
        let record = pool.bytes + start
        var sequence = Self.mix(event.sequence)
        for position in (0..<16).reversed() {
            let digit = UInt8(truncatingIfNeeded: sequence & 0xF)
            record[Self.idOffset + position] = digit < 10 ? digit &+ UInt8(ascii: "0") : digit &+ (UInt8(ascii: "a") &- 10)
            sequence >>= 4
        }
        var time = event.timeMillis
        let timeStart = count - Self.timeFromEnd
        for position in (0..<13).reversed() {
            record[timeStart + position] = UInt8(ascii: "0") + UInt8(time % 10)
            time /= 10
        }
        return body(UnsafeRawBufferPointer(start: record, count: count))
    }

    /// The rewritten bytes of event `index`, as an array.
    public mutating func record(at index: Int) -> [UInt8] {
        withRecord(at: index) { Array($0) }
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
