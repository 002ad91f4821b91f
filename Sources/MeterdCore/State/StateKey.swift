/// The key of one state record. Opaque to the pipeline, parsed only here:
/// a kind byte, the customer (length-prefixed UTF-8), then for window
/// records the window start (8 bytes big-endian, sign bit flipped, so keys
/// order by time) and for dedupe chunks also the chunk number (4 bytes
/// big-endian). Deterministic: the same state always yields the same keys.
enum StateKey: Hashable, Sendable {
    /// A (customer, window)'s rollup groups.
    case window(customer: String, windowStart: Int64)
    /// Dedupe fingerprints `chunk * chunkCapacity ..< (chunk + 1) * chunkCapacity` of a (customer, window).
    case dedupeChunk(customer: String, windowStart: Int64, chunk: Int)
    /// A customer's quota state.
    case quotas(customer: String)

    /// Fingerprints per dedupe chunk: a commit rewrites at most one partial
    /// chunk (≤ 1 KiB of fingerprints) per window that gained fewer entries.
    static let chunkCapacity = 64

    private static let windowTag = UInt8(ascii: "W")
    private static let chunkTag = UInt8(ascii: "D")
    private static let quotasTag = UInt8(ascii: "Q")

    var bytes: [UInt8] {
        switch self {
        case .window(let customer, let start):
            return ByteCursor.bytes(bound: 1 + ByteCursor.varintBound + customer.utf8.count + 8) { out in
                out.write(Self.windowTag)
                out.write(customer)
                Self.write(start, to: &out)
            }
        case .dedupeChunk(let customer, let start, let chunk):
            return ByteCursor.bytes(bound: 1 + ByteCursor.varintBound + customer.utf8.count + 12) { out in
                out.write(Self.chunkTag)
                out.write(customer)
                Self.write(start, to: &out)
                for shift in stride(from: 24, through: 0, by: -8) { out.write(UInt8(truncatingIfNeeded: UInt32(truncatingIfNeeded: chunk) >> UInt32(shift))) }
            }
        case .quotas(let customer):
            return ByteCursor.bytes(bound: 1 + ByteCursor.varintBound + customer.utf8.count) { out in
                out.write(Self.quotasTag)
                out.write(customer)
            }
        }
    }

    init(parsing bytes: [UInt8]) throws(BinaryDecodingError) {
        var input = BinaryReader(bytes)
        let tag = try input.readByte()
        let customer = try input.readString()
        switch tag {
        case Self.windowTag:
            self = .window(customer: customer, windowStart: try Self.readStart(&input))
        case Self.chunkTag:
            let start = try Self.readStart(&input)
            var chunk = 0
            for _ in 0..<4 { chunk = chunk << 8 | Int(try input.readByte()) }
            self = .dedupeChunk(customer: customer, windowStart: start, chunk: chunk)
        case Self.quotasTag:
            self = .quotas(customer: customer)
        default:
            throw .malformed(0, "unknown state record kind")
        }
        guard input.isAtEnd else { throw .malformed(input.offset, "trailing bytes after state key") }
    }

    private static func write(_ start: Int64, to out: inout ByteCursor) {
        let biased = UInt64(bitPattern: start) ^ (1 << 63)
        withUnsafeBytes(of: biased.bigEndian) { out.write(raw: $0) }
    }

    private static func readStart(_ input: inout BinaryReader) throws(BinaryDecodingError) -> Int64 {
        var biased: UInt64 = 0
        for _ in 0..<8 { biased = biased << 8 | UInt64(try input.readByte()) }
        return Int64(bitPattern: biased ^ (1 << 63))
    }
}
