/// A meter prepared for the hot path: its selectors replaced by selector
/// numbers of the `ExtractionPlan`, dimensions in `dimensionNames` order.
///
/// A class so that walking a record's meters retains one reference per
/// meter instead of copying every field.
final class CompiledMeter: Sendable {
    let index: Int
    let slug: String
    let aggregation: AggregationKind
    let allowNegative: Bool
    /// Selector number of the value; nil for COUNT.
    let valueSelector: Int?
    let valueSource: String
    /// Selector numbers aligned with `MeterDefinition.dimensionNames`.
    let dimensionSelectors: [Int]
    /// Set for a cost meter: the value comes from the price book instead.
    let cost: CompiledCost?

    init(
        index: Int, slug: String, aggregation: AggregationKind, allowNegative: Bool, valueSelector: Int?,
        valueSource: String, dimensionSelectors: [Int], cost: CompiledCost?
    ) {
        self.index = index
        self.slug = slug
        self.aggregation = aggregation
        self.allowNegative = allowNegative
        self.valueSelector = valueSelector
        self.valueSource = valueSource
        self.dimensionSelectors = dimensionSelectors
        self.cost = cost
    }
}

/// Why a record's values cannot be used (`invalid_value`).
struct InvalidValue: Error {
    let detail: String
}

extension CompiledMeter {
    /// Writes this meter's sample for the record into `sample` (every field),
    /// reusing its dimension array. False, with `sample` untouched, when the
    /// record does not count toward the meter (missing or null value).
    /// - Throws: `InvalidValue` when the value is present but unusable, or a
    ///   numeric dimension overflows.
    @inline(__always)
    func sample(from values: SelectedValues, texts: inout DimensionTexts, into sample: inout MeterSample) throws(InvalidValue) -> Bool {
        guard let sampleValue = try sampleValue(from: values) else { return false }
        try fill(&sample, with: sampleValue, values, texts: &texts)
        return true
    }

    /// The value this meter reads from the record; nil when the record does
    /// not count toward it (missing or null value).
    @inline(__always)
    func sampleValue(from values: SelectedValues) throws(InvalidValue) -> SampleValue? {
        guard let valueSelector else { return SampleValue.none }
        let value = values.value(ofSelector: valueSelector)
        if value.isMissing { return nil }
        return try aggregation == .uniqueCount ? uniqueValue(value, values) : numericValue(value, values)
    }

    /// Sets `sample` to this meter's sample with `sampleValue` and the
    /// record's groupBy values, overwriting its dimension array in place.
    func fill(_ sample: inout MeterSample, with sampleValue: SampleValue, _ values: SelectedValues, texts: inout DimensionTexts) throws(InvalidValue) {
        sample.meterIndex = index
        sample.value = sampleValue
        let count = dimensionSelectors.count
        if sample.dimensions.count > count {
            sample.dimensions.removeLast(sample.dimensions.count - count)
        } else if sample.dimensions.count < count {
            if sample.dimensions.isEmpty { sample.dimensions.reserveCapacity(count) }
            while sample.dimensions.count < count { sample.dimensions.append(nil) }
        }
        for position in 0..<count {
            sample.dimensions[position] = try dimensionText(ofSelector: dimensionSelectors[position], values, texts: &texts)
        }
    }

    @inline(__always)
    private func dimensionText(
        ofSelector selector: Int, _ values: SelectedValues, texts: inout DimensionTexts
    ) throws(InvalidValue) -> String? {
        try texts.text(ofSelector: selector) { (interner: inout StringInterner) throws(InvalidValue) in
            try Self.dimensionText(values.value(ofSelector: selector), values, meter: slug, interner: &interner)
        }
    }

    /// The number a JSON number or numeric string holds; nil for anything else.
    static func number(_ value: ScannedValue, _ values: SelectedValues) -> Double? {
        switch value.kind {
        case .number:
            return JSONNumber.parse(values.raw(value))
        case .string where value.hasEscapes:
            return JSONStringDecoder.unescapedBytes(values.raw(value)).withUnsafeBufferPointer { JSONNumber.parse($0) }
        case .string:
            return JSONNumber.parse(values.raw(value))
        default:
            return nil
        }
    }

    private func numericValue(_ value: ScannedValue, _ values: SelectedValues) throws(InvalidValue) -> SampleValue {
        guard let number = Self.number(value, values) else { throw InvalidValue(detail: "meter \(slug): \(valueSource) is not a number") }
        guard number.isFinite else { throw InvalidValue(detail: "meter \(slug): \(valueSource) is out of range") }
        if aggregation == .sum || aggregation == .avg, number.magnitude > CompiledConfiguration.maxSummedMagnitude {
            throw InvalidValue(detail: "meter \(slug): \(valueSource) is beyond ±1e300, where sums could overflow")
        }
        if aggregation == .sum, !allowNegative, number < 0 {
            throw InvalidValue(detail: "meter \(slug): \(valueSource) is negative")
        }
        return .number(number)
    }

    private func uniqueValue(_ value: ScannedValue, _ values: SelectedValues) throws(InvalidValue) -> SampleValue {
        switch value.kind {
        case .string:
            return .text(values.text(value))
        case .number:
            guard let text = JSONNumber.canonicalText(raw: values.raw(value)) else {
                throw InvalidValue(detail: "meter \(slug): \(valueSource) is out of range")
            }
            return .text(text)
        default:
            throw InvalidValue(detail: "meter \(slug): \(valueSource) is neither a string nor a number")
        }
    }

    /// The groupBy text of a value: strings as they are, numbers canonical,
    /// booleans `true`/`false`; nil for missing, null, objects and arrays.
    static func dimensionText(
        _ value: ScannedValue, _ values: SelectedValues, meter: String, interner: inout StringInterner
    ) throws(InvalidValue) -> String? {
        switch value.kind {
        case .string where !value.hasEscapes:
            return interner.string(UnsafeRawBufferPointer(values.raw(value)))
        case .string:
            return values.text(value)
        case .number:
            guard let text = JSONNumber.canonicalText(raw: values.raw(value)) else { throw numberOutOfRange(meter: meter) }
            return text
        case .trueLiteral:
            return "true"
        case .falseLiteral:
            return "false"
        case .absent, .null, .object, .array:
            return nil
        }
    }

    /// Lends `body` the UTF-8 of `dimensionText`'s text, nil when it has
    /// none: for samples encoded straight from the values (stage 1), which
    /// `InputEncodedSamplesTests` holds to the same bytes.
    @inline(__always)
    static func withDimensionBytes<R>(
        _ value: ScannedValue, _ values: SelectedValues, meter: String, _ body: (UnsafeRawBufferPointer?) -> R
    ) throws(InvalidValue) -> R {
        switch value.kind {
        case .string where !value.hasEscapes:
            return body(UnsafeRawBufferPointer(values.raw(value)))
        case .string:
            var text = values.text(value)
            return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .number:
            guard var text = JSONNumber.canonicalText(raw: values.raw(value)) else { throw numberOutOfRange(meter: meter) }
            return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .trueLiteral:
            return ("true" as StaticString).withUTF8Buffer { body(UnsafeRawBufferPointer($0)) }
        case .falseLiteral:
            return ("false" as StaticString).withUTF8Buffer { body(UnsafeRawBufferPointer($0)) }
        case .absent, .null, .object, .array:
            return body(nil)
        }
    }

    private static func numberOutOfRange(meter: String) -> InvalidValue {
        InvalidValue(detail: "meter \(meter): a groupBy number is out of range")
    }
}
