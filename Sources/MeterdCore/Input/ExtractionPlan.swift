/// Where each value a record must answer lives: the compiled tries for
/// structured records and binary-mode CloudEvent data, and the slot of every
/// envelope field and meter selector in them.
///
/// One structured walk answers both possible formats at once, because the
/// format is only known once `specversion` / `request` have been seen: Kong
/// meters read from the root, CloudEvent meters from `data`.
struct ExtractionPlan: Sendable {
    /// Envelope fields of both structured formats, at fixed paths.
    enum EnvelopeField: Int, CaseIterable {
        case specversion, id, source, type, subject, time
        case request, requestID, startedAt, consumerUsername, consumerCustomID, consumerID, aiProxy

        var path: [JSONSelector.Component] {
            switch self {
            case .specversion: [.key("specversion")]
            case .id: [.key("id")]
            case .source: [.key("source")]
            case .type: [.key("type")]
            case .subject: [.key("subject")]
            case .time: [.key("time")]
            case .request: [.key("request")]
            case .requestID: [.key("request"), .key("id")]
            case .startedAt: [.key("started_at")]
            case .consumerUsername: [.key("consumer"), .key("username")]
            case .consumerCustomID: [.key("consumer"), .key("custom_id")]
            case .consumerID: [.key("consumer"), .key("id")]
            case .aiProxy: [.key("ai"), .key("proxy")]
            }
        }
    }

    /// The slots of one meter selector under each root.
    struct SelectorSlots: Sendable {
        /// Kong: the selector from the log object's root.
        var kong: Int
        /// Kong: the same path under `ai["ai-proxy"]` for `$.ai.proxy…` selectors, else -1.
        var kongLegacy: Int
        /// Structured CloudEvent: the selector under `data`.
        var cloudEventData: Int
        /// Binary CloudEvent: the selector from the value's root.
        var binaryData: Int
    }

    let structuredTrie: SelectorTrie
    let binaryTrie: SelectorTrie
    /// Slots of each distinct meter selector, by selector number.
    let selectorSlots: [SelectorSlots]

    /// - Parameter selectors: the distinct selectors of all meters; their
    ///   positions are the selector numbers meters refer to.
    init(selectors: [JSONSelector]) {
        var structured = PathTable()
        var binary = PathTable()
        // Envelope paths are distinct and numbered first, so each field's slot is its raw value.
        for field in EnvelopeField.allCases { _ = structured.slot(for: field.path) }
        let legacyPrefix: [JSONSelector.Component] = [.key("ai"), .key("ai-proxy")]
        selectorSlots = selectors.map { selector in
            let path = selector.components
            var legacy = -1
            if path.count >= 2, path[0] == .key("ai"), path[1] == .key("proxy") {
                legacy = structured.slot(for: legacyPrefix + path.dropFirst(2))
            }
            return SelectorSlots(
                kong: structured.slot(for: path),
                kongLegacy: legacy,
                cloudEventData: structured.slot(for: [.key("data")] + path),
                binaryData: binary.slot(for: path)
            )
        }
        structuredTrie = SelectorTrie(paths: structured.paths)
        binaryTrie = SelectorTrie(paths: binary.paths)
    }
}

/// Distinct paths, numbered in the order they were first asked for.
private struct PathTable {
    private(set) var paths: [[JSONSelector.Component]] = []
    private var numbers: [[JSONSelector.Component]: Int] = [:]

    mutating func slot(for path: [JSONSelector.Component]) -> Int {
        if let existing = numbers[path] { return existing }
        numbers[path] = paths.count
        paths.append(path)
        return paths.count - 1
    }
}
