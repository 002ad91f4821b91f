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
    private var writer = BinaryWriter(capacity: 0)

    public init() {}

    /// The samples' encoding, one after the other.
    public var bytes: [UInt8] { writer.bytes }

    /// Empties the list, keeping its buffer.
    mutating func removeAll() {
        count = 0
        writer.removeAll()
    }

    /// Appends a sample as `UsageRecordCodec` encodes it. `dimensions` calls
    /// its argument once per dimension, in order, with the text's UTF-8 (nil
    /// for a missing one); a throw leaves a partial sample, which the caller
    /// discards with the rejected record.
    @inline(__always)
    mutating func append<E: Error>(
        meterIndex: Int, value: SampleValue, dimensionCount: Int,
        dimensions: (_ write: (UnsafeRawBufferPointer?) -> Void) throws(E) -> Void
    ) throws(E) {
        writer.write(varint: UInt64(truncatingIfNeeded: meterIndex))
        switch value {
        case .none:
            writer.write(UInt8(0))
        case .number(let number):
            writer.write(UInt8(1))
            writer.write(number)
        case .text(let text):
            writer.write(UInt8(2))
            writer.write(text)
        }
        writer.write(varint: UInt64(dimensionCount))
        try dimensions { bytes in
            if let bytes {
                writer.write(true)
                writer.write(lengthPrefixed: bytes)
            } else {
                writer.write(false)
            }
        }
        count += 1
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
