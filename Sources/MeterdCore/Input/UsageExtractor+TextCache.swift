extension UsageExtractor {
    /// A thread's reusable extraction storage: strings decoded from records
    /// that repeat across them (groupBy values: routes, models, providers),
    /// kept so that each is built once instead of per record (UTF-8
    /// validation and, beyond 15 bytes, an allocation); the scanner's padded
    /// copy of the record; spare samples for records extracted in place.
    /// Not shared between threads: keep one per thread and pass it to every
    /// `extract` there. Results never depend on it.
    public struct TextCache: Sendable {
        var interner: StringInterner
        /// The record's bytes followed by the scanner's NUL padding
        /// (`JSONScanner.scan(_:scratch:trie:slots:)`), reused across records.
        var scanBuffer: [UInt8] = []
        /// Samples a record had beyond its meters' count, kept with their
        /// dimension arrays for the next record extracted in place.
        var spareSamples: [MeterSample] = []

        /// A cache of 256 strings of up to 32 bytes (about 10 KiB), plus a
        /// scan buffer of the largest record's size rounded up to 4 KiB.
        public init() { interner = StringInterner(slotCount: 256) }

        /// No caching (the `extract` calls without a cache).
        static var none: TextCache { TextCache(interner: StringInterner(slotCount: 0)) }

        private init(interner: StringInterner) { self.interner = interner }
    }
}
