/// The record formats of SPEC section 1, each from one scan of the bytes:
/// structured JSON (a CloudEvent or a Kong log record, told apart by the
/// scanned envelope fields) and binary-mode CloudEvents (attributes from
/// headers, the value as `data`).
extension UsageExtractor {
    /// A JSON record: a CloudEvent in structured mode, else a Kong log record, else `unknown_format`.
    func extractStructured<Destination: SampleDestination>(
        _ bytes: UnsafeBufferPointer<UInt8>,
        inPlace: Bool,
        selectorSlots: UnsafeBufferPointer<ExtractionPlan.SelectorSlots>,
        recordTimestampMillis: Int64,
        unpriced: inout [UnpricedUsage],
        cache: inout TextCache,
        into record: inout UsageRecord,
        destination: Destination
    ) throws(Rejection) {
        try walk(bytes, inPlace: inPlace, trie: plan.structuredTrie, cache: &cache) { (slots, cache) throws(Rejection) in
            var values = SelectedValues(bytes: bytes, slots: slots, selectorSlots: selectorSlots, root: .kong)
            if CloudEventDecoder.matches(values) {
                values.root = .cloudEventData
                let envelope = try CloudEventDecoder.decode(values, customers: customers, recordTimestampMillis: recordTimestampMillis)
                let meters = metersByEventType[envelope.cloudEventType ?? ""] ?? []
                return try usage(
                    envelope, meters: meters, values, unpriced: &unpriced, cache: &cache, into: &record, destination: destination
                )
            }
            if KongLogDecoder.matches(values) {
                let knownCustomer = try KongLogDecoder.decode(values, customers: customers, into: &record)
                return try usage(
                    knownCustomer: knownCustomer, meters: kongMeters, values, unpriced: &unpriced, cache: &cache, into: &record,
                    destination: destination
                )
            }
            throw Rejection(.unknownFormat, "JSON object that is neither a CloudEvent nor a Kong log record")
        }
    }

    /// A binary-mode CloudEvent: attributes from the `ce_*` headers, the value as `data`.
    func extractBinary<Destination: SampleDestination>(
        _ bytes: UnsafeBufferPointer<UInt8>,
        inPlace: Bool,
        headers: [RecordHeader],
        selectorSlots: UnsafeBufferPointer<ExtractionPlan.SelectorSlots>,
        recordTimestampMillis: Int64,
        unpriced: inout [UnpricedUsage],
        cache: inout TextCache,
        into record: inout UsageRecord,
        destination: Destination
    ) throws(Rejection) {
        try walk(bytes, inPlace: inPlace, trie: plan.binaryTrie, allowEmpty: true, cache: &cache) { (slots, cache) throws(Rejection) in
            let values = SelectedValues(bytes: bytes, slots: slots, selectorSlots: selectorSlots, root: .binaryData)
            let envelope = try CloudEventDecoder.decode(headers: headers, recordTimestampMillis: recordTimestampMillis)
            let meters = metersByEventType[envelope.cloudEventType ?? ""] ?? []
            try usage(
                envelope, meters: meters, values, unpriced: &unpriced, cache: &cache, into: &record, destination: destination
            )
        }
    }

    /// Scans `bytes` with `trie` into stack-allocated slots and hands them to
    /// `body`. Structured records must be an object; binary-mode data may be
    /// any JSON value, or empty (no data). `inPlace`: the caller guarantees
    /// what `JSONScanner.scan(inPlace:trie:slots:)` needs, so the walk reads
    /// `bytes` where they lie instead of a padded copy.
    private func walk(
        _ bytes: UnsafeBufferPointer<UInt8>,
        inPlace: Bool,
        trie: SelectorTrie,
        allowEmpty: Bool = false,
        cache: inout TextCache,
        _ body: (UnsafeMutableBufferPointer<ScannedValue>, inout TextCache) throws(Rejection) -> Void
    ) throws(Rejection) {
        let result: Result<Void, Rejection> = withUnsafeTemporaryAllocation(
            of: ScannedValue.self,
            capacity: trie.slotCount
        ) { slots in
            slots.initialize(repeating: .absent)
            if !(allowEmpty && bytes.isEmpty) {
                let scanned = trie.withView { view in
                    Result { () throws(JSONSyntaxError) in
                        inPlace
                            ? try JSONScanner.scan(inPlace: bytes, trie: view, slots: slots)
                            : try JSONScanner.scan(bytes, scratch: &cache.scanBuffer, trie: view, slots: slots)
                    }
                }
                let rootKind: ScannedValue.Kind
                switch scanned {
                case .success(let kind): rootKind = kind
                case .failure(let error): return .failure(Rejection(.malformedJSON, error.description))
                }
                if !allowEmpty, rootKind != .object {
                    return .failure(Rejection(.unknownFormat, "JSON value that is not an object"))
                }
            }
            do throws(Rejection) {
                return .success(try body(slots, &cache))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
