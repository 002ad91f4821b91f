import MeterdCore

/// Extraction as stage 1 of `meterd run` does it on one thread: every event
/// decoded into one reused record, with one text cache for groupBy strings.
struct StageOneExtraction {
    let extractor: UsageExtractor
    private var textCache = UsageExtractor.TextCache()
    /// The record the last event was decoded into (meaningful after `extract` returned true).
    private(set) var record = UsageRecord.empty

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
}
