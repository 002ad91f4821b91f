/// Snapshots and restore (state format version 3; version 2 is still
/// read). The state is a header (stream time, emission watermark, greatest
/// emitted revision, replay scope) plus keyed records (`StateRecord`):
/// a snapshot is the header followed by every live record sorted by key; the
/// changelog form carries the same header and records separately.
extension PartitionAggregator {
    static let stateVersion: UInt8 = 3

    /// The complete state: stream time, emission watermark, windows with
    /// their accumulators, revisions and subjects, dedupe fingerprints, quota
    /// periods and announcements. Stats counters are not included.
    public func snapshot() -> [UInt8] {
        let records = liveRecords()
        var out = BinaryWriter(capacity: 256)
        out.write(Self.stateVersion)
        writeHeaderFields(to: &out)
        out.write(varint: UInt64(records.count))
        for record in records {
            out.write(bytes: record.key)
            out.write(bytes: record.value ?? [])
        }
        return out.bytes
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
        try readHeaderFields(&input, version: try Self.readVersion(&input))
        var records: [[UInt8]: [UInt8]] = [:]
        for _ in 0..<(try StateCoding.readCount(&input)) {
            let key = try input.readBytes()
            records[key] = try input.readBytes()
        }
        guard input.isAtEnd else { throw .malformed(input.offset, "trailing bytes after snapshot") }
        try restore(records)
    }

    /// Restores from a changelog: the latest header (nil when none was ever
    /// written) and the latest non-tombstone value of every record key.
    /// - Throws: `BinaryDecodingError` for corrupt, truncated, inconsistent
    ///   (a dedupe chunk missing or without its window) or unknown-version input.
    public init(compiled: CompiledConfiguration, header: [UInt8]?, records: [[UInt8]: [UInt8]]) throws(BinaryDecodingError) {
        self.init(compiled: compiled)
        if let header {
            var input = BinaryReader(header)
            try readHeaderFields(&input, version: try Self.readVersion(&input))
            guard input.isAtEnd else { throw .malformed(input.offset, "trailing bytes after header") }
        }
        try restore(records)
    }

    /// Rebuilds customers, windows (groups and dedupe in chunk order), quotas
    /// and the indexes from records. The header must be restored first.
    private mutating func restore(_ records: [[UInt8]: [UInt8]]) throws(BinaryDecodingError) {
        var windowRecords: [WindowRef: [UInt8]] = [:]
        var chunks: [WindowRef: [Int: [UInt8]]] = [:]
        var quotaRecords: [String: [UInt8]] = [:]
        for (key, value) in records {
            switch try StateKey(parsing: key) {
            case .window(let customer, let start):
                windowRecords[WindowRef(customer: customer, windowStart: start)] = value
            case .dedupeChunk(let customer, let start, let chunk):
                chunks[WindowRef(customer: customer, windowStart: start), default: [:]][chunk] = value
            case .quotas(let customer):
                quotaRecords[customer] = value
            }
        }
        for (ref, bytes) in windowRecords {
            var window = try decodeWindowRecord(bytes)
            let parts = chunks.removeValue(forKey: ref) ?? [:]
            for chunk in 0..<parts.count {
                guard let part = parts[chunk] else { throw .malformed(0, "dedupe chunk missing") }
                let count = try Self.decodeDedupeChunk(part, into: &window.dedupe)
                guard count == StateKey.chunkCapacity || chunk == parts.count - 1 else { throw .malformed(0, "partial dedupe chunk before the last") }
            }
            var state = customers.removeValue(forKey: ref.customer) ?? CustomerState()
            defer { customers[ref.customer] = state }
            for fingerprint in window.dedupe {
                guard state.dedupe.insert(fingerprint) else { throw .malformed(0, "dedupe fingerprint in two windows") }
            }
            state.windows[ref.windowStart] = window
            windowIndex[ref.windowStart, default: []].insert(ref.customer)
            if isEmitted(windowStart: ref.windowStart), window.groups.values.contains(where: \.dirty) {
                lateDirty.insert(ref)
            }
        }
        guard chunks.isEmpty else { throw .malformed(0, "dedupe chunk without its window") }
        rebuildBreakdowns()
        for (customer, bytes) in quotaRecords {
            let quotas = try decodeQuotaRecord(bytes, customer: customer)
            guard !quotas.isEmpty else { continue }
            customers[customer, default: CustomerState()].quotas = quotas
            for quota in quotas.values {
                for entry in quota.entries {
                    let expiry = FeatureQuotaState.expiryTime(ofEnd: entry.period.endMillis, windows: compiled.windows)
                    nextQuotaExpiry = min(nextQuotaExpiry ?? expiry, expiry)
                    quotaCustomers.insert(customer)
                }
            }
        }
    }

    private func writeHeaderFields(to out: inout BinaryWriter) {
        StateCoding.write(clock.streamTimeMillis, to: &out)
        StateCoding.write(flushedStreamTimeMillis, to: &out)
        out.write(varint: UInt64(maxEmittedRevision))
        out.write(replayScope != nil)
        if let replayScope {
            out.write(zigzag: replayScope.fromWindowStart)
            out.write(zigzag: replayScope.untilWindowStart)
            out.write(varint: UInt64(replayScope.revisionBase))
        }
    }

    private mutating func readHeaderFields(_ input: inout BinaryReader, version: UInt8) throws(BinaryDecodingError) {
        clock = StreamClock(
            idleTimeoutMillis: compiled.configuration.windows.idleTimeoutMillis,
            streamTimeMillis: try StateCoding.readOptionalInt64(&input)
        )
        clock.rearmIdleTimer()
        flushedStreamTimeMillis = try StateCoding.readOptionalInt64(&input)
        guard version >= 3 else { return }
        maxEmittedRevision = try Self.readRevision(&input)
        guard try input.readBool() else { return }
        replayScope = ReplayScope(
            fromWindowStart: try input.readZigzag(), untilWindowStart: try input.readZigzag(),
            revisionBase: try Self.readRevision(&input)
        )
    }

    private static func readRevision(_ input: inout BinaryReader) throws(BinaryDecodingError) -> Int {
        let value = try input.readVarint()
        guard value <= UInt64(Int32.max) else { throw .malformed(input.offset, "revision out of range") }
        return Int(value)
    }

    /// Reads the format version; 2 (before replays) and 3 are understood.
    @discardableResult
    static func readVersion(_ input: inout BinaryReader) throws(BinaryDecodingError) -> UInt8 {
        let version = try input.readByte()
        guard version == 2 || version == stateVersion else { throw .unsupportedVersion(version) }
        return version
    }
}
