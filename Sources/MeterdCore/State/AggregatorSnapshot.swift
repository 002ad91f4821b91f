/// One customer's changelog record: its encoded state, or `nil` (a
/// tombstone) when the customer no longer has any state.
public struct CustomerStateChange: Sendable, Equatable {
    public var customer: String
    public var state: [UInt8]?

    public init(customer: String, state: [UInt8]?) {
        self.customer = customer
        self.state = state
    }
}

/// What changed since the last `takeStateChanges()`: the partition header
/// (stream time and emission watermark, always included, a few bytes) and
/// the customers whose state changed, sorted by customer. Keyed by customer,
/// these fit a compacted changelog topic.
public struct AggregatorStateChanges: Sendable, Equatable {
    public var header: [UInt8]
    public var customers: [CustomerStateChange]
}

/// Snapshots and restore (format version 1). A full snapshot is the header
/// followed by every customer; the changelog form carries the same header
/// and per-customer encodings separately.
extension PartitionAggregator {
    static let stateVersion: UInt8 = 1

    /// The complete state: stream time, emission watermark, windows with
    /// their accumulators, revisions and subjects, dedupe entries, quota
    /// periods and announcements. Stats counters are not included.
    public func snapshot() -> [UInt8] {
        var out = BinaryWriter(capacity: 256)
        out.write(Self.stateVersion)
        writeHeaderFields(to: &out)
        out.write(varint: UInt64(customers.count))
        for name in customers.keys.sorted(by: CompiledFeature.utf8Less) {
            guard let state = customers[name] else { continue }
            out.write(name)
            encodeCustomer(state, to: &out)
        }
        return out.bytes
    }

    /// Encoded header and changed customers since the last call; resets the tracking.
    public mutating func takeStateChanges() -> AggregatorStateChanges {
        let header = stateHeader()
        let changes = changedCustomers.sorted(by: CompiledFeature.utf8Less).map { name in
            CustomerStateChange(customer: name, state: customers[name].map(encodeCustomerRecord))
        }
        changedCustomers.removeAll(keepingCapacity: true)
        return AggregatorStateChanges(header: header, customers: changes)
    }

    /// The encoded partition header (stream time, emission watermark) as
    /// `takeStateChanges()` writes it, without taking the changes.
    public func stateHeader() -> [UInt8] {
        var header = BinaryWriter(capacity: 24)
        header.write(Self.stateVersion)
        writeHeaderFields(to: &header)
        return header.bytes
    }

    /// Restores an aggregator from `snapshot()` bytes. The idle timer re-arms
    /// at the first `advance`, so downtime does not count as idleness.
    /// - Throws: `BinaryDecodingError` for corrupt, truncated or unknown-version input.
    public init(configuration: MeterdConfiguration, snapshot: [UInt8]) throws(BinaryDecodingError) {
        try self.init(compiled: CompiledConfiguration(configuration), snapshot: snapshot)
    }

    public init(compiled: CompiledConfiguration, snapshot: [UInt8]) throws(BinaryDecodingError) {
        self.init(compiled: compiled)
        var input = BinaryReader(snapshot)
        try Self.readVersion(&input)
        try readHeaderFields(&input)
        for _ in 0..<(try StateCoding.readCount(&input)) {
            try decodeCustomer(try input.readString(), from: &input)
        }
        guard input.isAtEnd else { throw .malformed(input.offset, "trailing bytes after snapshot") }
    }

    /// Restores from the latest changelog records: the header (nil when none
    /// was ever written) and each customer's latest non-tombstone state.
    /// - Throws: `BinaryDecodingError` for corrupt, truncated or unknown-version input.
    public init(compiled: CompiledConfiguration, header: [UInt8]?, customerStates: [String: [UInt8]]) throws(BinaryDecodingError) {
        self.init(compiled: compiled)
        if let header {
            var input = BinaryReader(header)
            try Self.readVersion(&input)
            try readHeaderFields(&input)
            guard input.isAtEnd else { throw .malformed(input.offset, "trailing bytes after header") }
        }
        for name in customerStates.keys.sorted(by: CompiledFeature.utf8Less) {
            var input = BinaryReader(customerStates[name] ?? [])
            try Self.readVersion(&input)
            try decodeCustomer(name, from: &input)
            guard input.isAtEnd else { throw .malformed(input.offset, "trailing bytes after customer state") }
        }
    }

    private func encodeCustomerRecord(_ state: CustomerState) -> [UInt8] {
        var out = BinaryWriter(capacity: 128)
        out.write(Self.stateVersion)
        encodeCustomer(state, to: &out)
        return out.bytes
    }

    private func writeHeaderFields(to out: inout BinaryWriter) {
        StateCoding.write(clock.streamTimeMillis, to: &out)
        StateCoding.write(flushedStreamTimeMillis, to: &out)
    }

    private mutating func readHeaderFields(_ input: inout BinaryReader) throws(BinaryDecodingError) {
        clock = StreamClock(
            idleTimeoutMillis: compiled.configuration.windows.idleTimeoutMillis,
            streamTimeMillis: try StateCoding.readOptionalInt64(&input)
        )
        clock.rearmIdleTimer()
        flushedStreamTimeMillis = try StateCoding.readOptionalInt64(&input)
    }

    private static func readVersion(_ input: inout BinaryReader) throws(BinaryDecodingError) {
        let version = try input.readByte()
        guard version == stateVersion else { throw .unsupportedVersion(version) }
    }
}
