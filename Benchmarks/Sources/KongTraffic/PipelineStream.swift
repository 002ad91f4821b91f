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
public struct PipelineStream {
    /// Where one event's bytes come from and what is written into them.
    public struct Event: Equatable {
        public var poolIndex: Int
        /// Mixed (a bijection, so ids stay unique) into the first 16 hex
        /// digits of `request.id`, which then look as random as Kong's.
        public var sequence: UInt64
        public var timeMillis: Int64
    }

    public let startMillis: Int64
    public let millisPerEvent: Int64
    private var pool: [[UInt8]]
    /// Offset of the first `started_at` digit in each pooled record (13 digits).
    private let timeOffsets: [Int]
    private static let idOffset = 18

    public init(seed: UInt64, poolSize: Int = 16_384, consumerCount: Int, startMillis: Int64 = 1_735_689_600_000, millisPerEvent: Int64 = 1) {
        var generator = KongTrafficGenerator(seed: seed, startMillis: startMillis, consumerCount: consumerCount)
        pool = generator.records(count: poolSize)
        timeOffsets = pool.map { record in
            // The record ends with `"started_at":<13 digits>}`.
            record.count - 14
        }
        self.startMillis = startMillis
        self.millisPerEvent = millisPerEvent
    }

    public var averageRecordBytes: Int { pool.reduce(0) { $0 + $1.count } / max(1, pool.count) }

    public func event(at index: Int) -> Event {
        if index >= 37, Self.mix(UInt64(index)) % 100 == 0 { return original(at: index - 37) }
        return original(at: index)
    }

    private func original(at index: Int) -> Event {
        let hash = Self.mix(UInt64(index) ^ 0x5DEE_CE66_D1CE_4E5B)
        var time = startMillis + Int64(index) * millisPerEvent
        if hash % 100 == 0 { time -= Int64((hash >> 8) % 90_000) }
        return Event(poolIndex: index % pool.count, sequence: UInt64(index), timeMillis: time)
    }

    /// Rewrites the pooled record of event `index` and lends its bytes to `body`.
    public mutating func withRecord<R>(at index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let event = event(at: index)
        let timeOffset = timeOffsets[event.poolIndex]
        return pool[event.poolIndex].withUnsafeMutableBytes { bytes in
            var sequence = Self.mix(event.sequence)
            for position in (0..<16).reversed() {
                bytes[Self.idOffset + position] = Self.hexDigits[Int(sequence & 0xF)]
                sequence >>= 4
            }
            var time = event.timeMillis
            for position in (0..<13).reversed() {
                bytes[timeOffset + position] = UInt8(ascii: "0") + UInt8(time % 10)
                time /= 10
            }
            return body(UnsafeRawBufferPointer(bytes))
        }
    }

    /// The rewritten bytes of event `index`, as an array.
    public mutating func record(at index: Int) -> [UInt8] {
        withRecord(at: index) { Array($0) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
