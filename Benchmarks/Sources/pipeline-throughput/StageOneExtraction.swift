import MeterdCore

/// Extraction as stage 1 of `meterd run` does it on one thread: every event
/// decoded into one reused record, with one text cache for groupBy strings.
struct StageOneExtraction {
    let extractor: UsageExtractor
    private var textCache = UsageExtractor.TextCache()
    /// The record the last event was decoded into (meaningful after `extract` returned true).
    private(set) var record = UsageRecord.empty
    /// The last event's samples in their encoding (`extractEncoded`).
    private var samples = EncodedSamples()

    init(extractor: UsageExtractor) {
        self.extractor = extractor
    }

    /// Decodes `bytes` into `record`; false for a rejected record.
    mutating func extract(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var unpriced: [UnpricedUsage] = []
        return extractor.extract(
            value: bytes, headers: [], recordTimestampMillis: 0, unpriced: &unpriced, cache: &textCache, into: &record
        ) == nil
    }

    /// What stage 1 of `meterd run` does with an event: its samples encoded
    /// straight from the scanned values, then the usage record appended to
    /// `writer` in the repartition encoding; false for a rejected record.
    @inline(never)
    mutating func extractEncoded(_ bytes: UnsafeRawBufferPointer, into writer: inout BinaryWriter) -> Bool {
        var unpriced: [UnpricedUsage] = []
        guard extractor.extract(
            value: bytes, headers: [], recordTimestampMillis: 0, unpriced: &unpriced, cache: &textCache, into: &record, samples: &samples
        ) == nil else { return false }
        UsageRecordCodec.encode(record, samples: samples, into: &writer)
        return true
    }
}
