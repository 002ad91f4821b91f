/// One record's meter samples already in `UsageRecordCodec`'s encoding.
///
/// Stage 1 only forwards a record's samples to the repartition topic, so it
/// writes them straight from the scanned values
/// (`UsageExtractor.extract(…, into:samples:)`): no dimension strings are
/// built, interned, stored in the record and read back to be encoded.
/// `UsageRecordCodec.encode(_:samples:into:)` writes the record with these
/// in place of its own, byte for byte what encoding the extracted record
/// would give.
public struct EncodedSamples: Sendable {
    /// How many samples `bytes` holds.
    public private(set) var count = 0
    /// The samples' bytes are the first `byteCount` of `storage`, which only
    /// grows: written through a `ByteCursor` in place, one bounds check per
    /// value, where appending to an array checks uniqueness and capacity per byte.
    private var storage: [UInt8] = []
    public private(set) var byteCount = 0

    /// Free room ensured before each sample; a larger sample grows the
    /// buffer and is written again.
    static let sampleRoom = 256

    public init() {}

    /// The samples' encoding, one after the other (a copy).
    public var bytes: [UInt8] { Array(storage[..<byteCount]) }

    /// Calls `body` with the samples' encoding, without copying it.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[..<byteCount])) }
    }

    /// `withBytes` for a list reached through a pointer: `mutating` only to
    /// take the buffer in place, where the non-mutating call copies the list
    /// first (a retain and a release of the buffer per call).
    public mutating func withBytesInPlace<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        let byteCount = byteCount
        return storage.withUnsafeMutableBytes { body(UnsafeRawBufferPointer(rebasing: $0[..<byteCount])) }
    }

    /// Empties the list, keeping its buffer.
    mutating func removeAll() {
        count = 0
        byteCount = 0
    }

    /// Appends a sample as `UsageRecordCodec` encodes it. `dimensions` calls
    /// its argument once per dimension, in order, with the text's UTF-8 (nil
    /// for a missing one); a throw leaves the list as it was.
    @inline(__always)
    mutating func append<E: Error>(
        meterIndex: Int, value: SampleValue, dimensionCount: Int,
        dimensions: (_ write: (UnsafeRawBufferPointer?) -> Void) throws(E) -> Void
    ) throws(E) {
        var room = Self.sampleRoom
        while true {
            if storage.count - byteCount < room { grow(free: room) }
            let start = byteCount
            var failure: E?
            let (written, overflowed) = storage.withUnsafeMutableBytes { buffer -> (Int, Bool) in
                var cursor = ByteCursor(UnsafeMutableRawBufferPointer(rebasing: buffer[start...]))
                UsageRecordCodec.writeSampleHead(meterIndex: meterIndex, value: value, dimensionCount: dimensionCount, to: &cursor)
                do throws(E) {
                    try dimensions { bytes in
                        if let bytes {
                            cursor.write(UInt8(1))
                            cursor.write(lengthPrefixed: bytes)
                        } else {
                            cursor.write(UInt8(0))
                        }
                    }
                } catch {
                    failure = error
                }
                return (cursor.position, cursor.overflowed)
            }
            if let failure { throw failure }
            if !overflowed {
                byteCount = start + written
                count += 1
                return
            }
            room = ByteCursor.grown(room)
        }
    }

    /// Makes room for at least `free` bytes after the written ones, keeping them.
    @inline(never)
    private mutating func grow(free: Int) {
        var larger = [UInt8](repeating: 0, count: Swift.max(2 * storage.count, byteCount + free))
        larger.withUnsafeMutableBytes { target in
            storage.withUnsafeBytes { source in
                if let from = source.baseAddress, let to = target.baseAddress { to.copyMemory(from: from, byteCount: byteCount) }
            }
        }
        storage = larger
    }
}

extension CompiledMeter {
    /// `sample(from:texts:into:)`, appended to `samples` in its encoding.
    func encodeSample(from values: SelectedValues, into samples: inout EncodedSamples) throws(InvalidValue) -> Bool {
        guard let sampleValue = try sampleValue(from: values) else { return false }
        try encode(sampleValue, values, into: &samples)
        return true
    }

    /// `fill(_:with:_:texts:)`, appended to `samples` in its encoding.
    func encode(_ sampleValue: SampleValue, _ values: SelectedValues, into samples: inout EncodedSamples) throws(InvalidValue) {
        try samples.append(meterIndex: index, value: sampleValue, dimensionCount: dimensionSelectors.count) { (write) throws(InvalidValue) in
            for selector in dimensionSelectors {
                try Self.withDimensionBytes(values.value(ofSelector: selector), values, meter: slug, write)
            }
        }
    }
}
