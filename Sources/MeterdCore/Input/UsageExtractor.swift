/// Stage 1 of the pipeline: turns one raw input record (Kong log JSON or a
/// CloudEvent, structured or binary) into its `UsageRecord`, or the reason
/// it is dead-lettered.
///
/// Compile it once per configuration; `extract` is then pure, never throws
/// or traps on any input, and walks each record's bytes once.
public struct UsageExtractor: Sendable {
    /// Everything compiled, behind one reference so passing the extractor
    /// around costs one retain rather than one per array.
    private final class Compiled: Sendable {
        let plan: ExtractionPlan
        let kongMeters: [CompiledMeter]
        let metersByEventType: [String: [CompiledMeter]]
        let customers: CustomerDirectory
        let prices: PriceBook
        let maxRecordBytes: Int

        init(
            plan: ExtractionPlan, metersByEventType: [String: [CompiledMeter]], customers: CustomerDirectory,
            prices: PriceBook, maxRecordBytes: Int
        ) {
            self.plan = plan
            self.metersByEventType = metersByEventType
            self.kongMeters = metersByEventType[KongLogDecoder.eventType] ?? []
            self.customers = customers
            self.prices = prices
            self.maxRecordBytes = maxRecordBytes
        }
    }

    private let compiled: Compiled
    var plan: ExtractionPlan { compiled.plan }
    var kongMeters: [CompiledMeter] { compiled.kongMeters }
    var metersByEventType: [String: [CompiledMeter]] { compiled.metersByEventType }
    var customers: CustomerDirectory { compiled.customers }
    var prices: PriceBook { compiled.prices }
    private var maxRecordBytes: Int { compiled.maxRecordBytes }

    /// A meter the extractor cannot be built for.
    public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
        public let meter: String
        public let message: String
        public var description: String { "meter \(meter): \(message)" }
    }

    /// - Throws: `ConfigurationError` for an unparsable selector, a
    ///   non-COUNT meter without `valueProperty` or `cost`, or a cost meter
    ///   that does not SUM.
    public init(configuration: MeterdConfiguration) throws(ConfigurationError) {
        var selectors: [JSONSelector] = []
        var numbers: [String: Int] = [:]
        func number(_ source: String, meter: String) throws(ConfigurationError) -> Int {
            if let known = numbers[source] { return known }
            let selector: JSONSelector
            do {
                selector = try JSONSelector(parsing: source)
            } catch {
                throw ConfigurationError(meter: meter, message: "selector \(source): \(error)")
            }
            numbers[source] = selectors.count
            selectors.append(selector)
            return selectors.count - 1
        }
        var meters: [CompiledMeter] = []
        for (index, meter) in configuration.meters.enumerated() {
            var valueSelector: Int?
            var cost: CompiledCost?
            if let selectors = meter.cost {
                guard meter.aggregation == .sum else {
                    throw ConfigurationError(meter: meter.slug, message: "a cost meter must aggregate with SUM")
                }
                cost = CompiledCost(
                    inputTokens: try number(selectors.inputTokens, meter: meter.slug),
                    outputTokens: try number(selectors.outputTokens, meter: meter.slug),
                    provider: try number(selectors.provider, meter: meter.slug),
                    model: try number(selectors.model, meter: meter.slug),
                    sources: selectors
                )
            } else if meter.aggregation != .count {
                guard let source = meter.valueProperty else {
                    throw ConfigurationError(meter: meter.slug, message: "\(meter.aggregation.rawValue) needs a valueProperty")
                }
                valueSelector = try number(source, meter: meter.slug)
            }
            var dimensions: [Int] = []
            for name in meter.dimensionNames {
                dimensions.append(try number(meter.groupBy[name] ?? "", meter: meter.slug))
            }
            meters.append(CompiledMeter(
                index: index,
                slug: meter.slug,
                aggregation: meter.aggregation,
                allowNegative: meter.allowNegative,
                valueSelector: valueSelector,
                valueSource: meter.valueProperty ?? "",
                dimensionSelectors: dimensions,
                cost: cost
            ))
        }
        self.compiled = Compiled(
            plan: ExtractionPlan(selectors: selectors),
            metersByEventType: Dictionary(grouping: meters, by: { configuration.meters[$0.index].eventType }),
            customers: CustomerDirectory(customers: configuration.customers, policy: configuration.unknownSubjects),
            prices: PriceBook(configuration: configuration),
            maxRecordBytes: configuration.maxRecordBytes
        )
    }

    /// Decodes one record.
    /// - Parameters:
    ///   - value: the Kafka record value.
    ///   - headers: the record headers (`ce_*` select CloudEvents binary mode).
    ///   - recordTimestampMillis: the Kafka record timestamp, the event time
    ///     of a CloudEvent without `time`.
    public func extract(value: UnsafeRawBufferPointer, headers: [RecordHeader], recordTimestampMillis: Int64) -> ExtractionResult {
        var unpriced: [UnpricedUsage] = []
        return extract(value: value, headers: headers, recordTimestampMillis: recordTimestampMillis, unpriced: &unpriced)
    }

    /// Decodes one record, and appends to `unpriced` the cost meters it had
    /// tokens for but no price (they are left out of its samples; nothing is
    /// appended for a rejected record).
    public func extract(
        value: UnsafeRawBufferPointer, headers: [RecordHeader], recordTimestampMillis: Int64, unpriced: inout [UnpricedUsage]
    ) -> ExtractionResult {
        var cache = TextCache.none
        return extract(value: value, headers: headers, recordTimestampMillis: recordTimestampMillis, unpriced: &unpriced, cache: &cache)
    }

    /// `extract(value:headers:recordTimestampMillis:unpriced:)` with the
    /// calling thread's `TextCache`: the same result, built faster.
    public func extract(
        value: UnsafeRawBufferPointer, headers: [RecordHeader], recordTimestampMillis: Int64, unpriced: inout [UnpricedUsage],
        cache: inout TextCache
    ) -> ExtractionResult {
        var record = UsageRecord.empty
        if let rejection = extract(
            value: value, headers: headers, recordTimestampMillis: recordTimestampMillis, unpriced: &unpriced, cache: &cache,
            into: &record
        ) {
            return .rejected(rejection.reason, detail: rejection.detail)
        }
        return .usage(record)
    }

    /// Decodes one record into `record`, every field of which it replaces,
    /// reusing its sample and dimension arrays: pass the same record for
    /// every input record of a thread (as stage 1 does) and a stream of
    /// records is decoded without allocating arrays.
    /// - Returns: nil when `record` now holds the usage; otherwise why the
    ///   input record is dead-lettered (`record` is then partly overwritten).
    public func extract(
        value: UnsafeRawBufferPointer, headers: [RecordHeader], recordTimestampMillis: Int64, unpriced: inout [UnpricedUsage],
        cache: inout TextCache, into record: inout UsageRecord
    ) -> Rejection? {
        extract(
            value: value, headers: { headers }, lateHeaders: false, recordTimestampMillis: recordTimestampMillis,
            unpriced: &unpriced, cache: &cache, into: &record, destination: IntoRecord()
        )
    }

    /// `extract(value:headers:recordTimestampMillis:unpriced:cache:into:)`
    /// for a caller that reads a record's headers more cheaply after its
    /// value: the value is decoded as if the record had no headers, then
    /// `lateHeaders` is called (once; not for a value over `maxRecordBytes`),
    /// and the value is decoded again only when they select CloudEvents
    /// binary mode. The result is the same as with the headers up front.
    /// For librdkafka, where the byte that says a record has no headers
    /// follows the value: read first, it was a cache miss per record.
    ///
    /// `zeroFollowsValue`: the byte after `value` is 0 and
    /// `UsageExtractor.inPlacePadding` bytes from it on can be read (a
    /// header-less record in librdkafka's buffer, whose header count, 0,
    /// follows the value). The JSON walk then reads the value where it lies
    /// instead of a padded copy (the copy was the first touch of every
    /// record's bytes, ~0.5 µs each in `meterd run`'s stage 1).
    public func extract(
        value: UnsafeRawBufferPointer, zeroFollowsValue: Bool = false, lateHeaders: () -> [RecordHeader], recordTimestampMillis: Int64,
        unpriced: inout [UnpricedUsage], cache: inout TextCache, into record: inout UsageRecord
    ) -> Rejection? {
        extract(
            value: value, inPlace: zeroFollowsValue, headers: lateHeaders, lateHeaders: true,
            recordTimestampMillis: recordTimestampMillis, unpriced: &unpriced, cache: &cache, into: &record, destination: IntoRecord()
        )
    }

    /// `extract(value:headers:recordTimestampMillis:unpriced:cache:into:)`
    /// with the samples written to `samples` in their encoding (replacing
    /// what it held) instead of into `record`, whose own samples are left
    /// empty: for stage 1, which only forwards them
    /// (`UsageRecordCodec.encode(_:samples:into:)`).
    public func extract(
        value: UnsafeRawBufferPointer, headers: [RecordHeader], recordTimestampMillis: Int64, unpriced: inout [UnpricedUsage],
        cache: inout TextCache, into record: inout UsageRecord, samples: inout EncodedSamples
    ) -> Rejection? {
        samples.removeAll()
        return withUnsafeMutablePointer(to: &samples) { encoded in
            extract(
                value: value, headers: { headers }, lateHeaders: false, recordTimestampMillis: recordTimestampMillis,
                unpriced: &unpriced, cache: &cache, into: &record, destination: IntoEncodedSamples(samples: encoded)
            )
        }
    }

    /// `extract(value:lateHeaders:recordTimestampMillis:unpriced:cache:into:)`
    /// with the samples written to `samples` in their encoding, as
    /// `extract(value:headers:recordTimestampMillis:unpriced:cache:into:samples:)` does.
    public func extract(
        value: UnsafeRawBufferPointer, zeroFollowsValue: Bool = false, lateHeaders: () -> [RecordHeader], recordTimestampMillis: Int64,
        unpriced: inout [UnpricedUsage], cache: inout TextCache, into record: inout UsageRecord, samples: inout EncodedSamples
    ) -> Rejection? {
        withUnsafeMutablePointer(to: &samples) { encoded in
            extract(
                value: value, inPlace: zeroFollowsValue, headers: lateHeaders, lateHeaders: true,
                recordTimestampMillis: recordTimestampMillis, unpriced: &unpriced, cache: &cache, into: &record,
                destination: IntoEncodedSamples(samples: encoded)
            )
        }
    }

    /// Generic over where the samples go, so that each path is compiled on
    /// its own and the record's carries nothing of the other.
    /// `lateHeaders`: call `headers` after decoding the value as if without
    /// headers, and decode again if they select binary mode.
    private func extract<Destination: SampleDestination>(
        value: UnsafeRawBufferPointer, inPlace: Bool = false, headers: () -> [RecordHeader], lateHeaders: Bool,
        recordTimestampMillis: Int64, unpriced: inout [UnpricedUsage], cache: inout TextCache, into record: inout UsageRecord,
        destination: Destination
    ) -> Rejection? {
        guard value.count <= maxRecordBytes else {
            return Rejection(.tooLarge, "value of \(value.count) bytes exceeds \(maxRecordBytes)")
        }
        guard lateHeaders else {
            let known = headers()
            return decode(
                value, inPlace: inPlace, binaryMode: CloudEventDecoder.isBinaryMode(known) ? known : nil,
                recordTimestampMillis: recordTimestampMillis, unpriced: &unpriced, cache: &cache, into: &record, destination: destination
            )
        }
        let unprocessed = unpriced.count
        destination.samples?.pointee.removeAll()
        let rejection = decode(
            value, inPlace: inPlace, binaryMode: nil, recordTimestampMillis: recordTimestampMillis, unpriced: &unpriced, cache: &cache,
            into: &record, destination: destination
        )
        let late = headers()
        guard CloudEventDecoder.isBinaryMode(late) else { return rejection }
        if unpriced.count > unprocessed { unpriced.removeSubrange(unprocessed...) }
        destination.samples?.pointee.removeAll()
        return decode(
            value, inPlace: inPlace, binaryMode: late, recordTimestampMillis: recordTimestampMillis, unpriced: &unpriced, cache: &cache,
            into: &record, destination: destination
        )
    }

    /// One decoding of the value: structured (Kong or CloudEvents) or, with
    /// `binaryMode` headers, a binary-mode CloudEvent.
    private func decode<Destination: SampleDestination>(
        _ value: UnsafeRawBufferPointer, inPlace: Bool, binaryMode: [RecordHeader]?, recordTimestampMillis: Int64,
        unpriced: inout [UnpricedUsage], cache: inout TextCache, into record: inout UsageRecord, destination: Destination
    ) -> Rejection? {
        let bytes = value.bindMemory(to: UInt8.self)
        let unprocessed = unpriced.count
        let result: Result<Void, Rejection> = plan.selectorSlots.withUnsafeBufferPointer { selectorSlots in
            Result { () throws(Rejection) in
                if let headers = binaryMode {
                    try extractBinary(
                        bytes, inPlace: inPlace, headers: headers, selectorSlots: selectorSlots,
                        recordTimestampMillis: recordTimestampMillis, unpriced: &unpriced, cache: &cache, into: &record,
                        destination: destination
                    )
                } else {
                    try extractStructured(
                        bytes, inPlace: inPlace, selectorSlots: selectorSlots, recordTimestampMillis: recordTimestampMillis,
                        unpriced: &unpriced, cache: &cache, into: &record, destination: destination
                    )
                }
            }
        }
        guard case .failure(let rejection) = result else { return nil }
        // A record rejected after a cost meter reported an unpriced reading reports nothing.
        if unpriced.count > unprocessed { unpriced.removeSubrange(unprocessed...) }
        return rejection
    }

    /// How many bytes from the one after a value a caller of
    /// `extract(value:zeroFollowsValue:lateHeaders:…)` must be able to read
    /// when it passes `zeroFollowsValue: true`.
    public static let inPlacePadding = JSONScanner.padding

    /// Decodes one record held in an array.
    public func extract(value: [UInt8], headers: [RecordHeader] = [], recordTimestampMillis: Int64) -> ExtractionResult {
        value.withUnsafeBytes { extract(value: $0, headers: headers, recordTimestampMillis: recordTimestampMillis) }
    }
}
