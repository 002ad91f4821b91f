/// The groupBy texts one record's meters made so far, by selector number:
/// meters grouping by the same selector (model, provider…) share one
/// `String` instead of each decoding and allocating its own.
///
/// Four entries held inline (no allocation); selectors beyond that are
/// simply not cached. (Dimension arrays are not shared between meters:
/// each sample's own array is reused from record to record instead.)
struct DimensionTexts {
    /// The thread's cache of decoded strings (`UsageExtractor.TextCache`),
    /// lent for the record.
    var interner: StringInterner
    private var selectors: (Int, Int, Int, Int) = (-1, -1, -1, -1)
    private var texts: (String?, String?, String?, String?) = (nil, nil, nil, nil)
    private var count = 0
    init(interner: consuming StringInterner = StringInterner(slotCount: 0)) {
        self.interner = interner
    }

    /// The text of `selector`, made by `make` (with the interner) the first time it is asked for.
    mutating func text(
        ofSelector selector: Int, _ make: (inout StringInterner) throws(InvalidValue) -> String?
    ) throws(InvalidValue) -> String? {
        if count > 0, selectors.0 == selector { return texts.0 }
        if count > 1, selectors.1 == selector { return texts.1 }
        if count > 2, selectors.2 == selector { return texts.2 }
        if count > 3, selectors.3 == selector { return texts.3 }
        let text = try make(&interner)
        switch count {
        case 0: selectors.0 = selector; texts.0 = text
        case 1: selectors.1 = selector; texts.1 = text
        case 2: selectors.2 = selector; texts.2 = text
        case 3: selectors.3 = selector; texts.3 = text
        default: return text
        }
        count += 1
        return text
    }
}
