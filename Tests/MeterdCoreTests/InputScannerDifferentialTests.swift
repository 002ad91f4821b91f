@testable import MeterdCore
import Testing

/// The iterative scanner with its skip loop against the recursive scanner
/// it replaced (`ReferenceJSONScanner`): for random JSON, mutated JSON and
/// hostile byte strings, both must give the same root kind and slots, or
/// the same error (problem and offset).
@Suite struct InputScannerDifferentialTests {
    enum Outcome: Equatable {
        case scanned(ScannedValue.Kind, [Slot])
        case failed(JSONSyntaxError)

        /// A scan's result with the slots it filled.
        init(_ result: Result<ScannedValue.Kind, JSONSyntaxError>, _ slots: [ScannedValue]) {
            switch result {
            case .success(let kind):
                self = .scanned(kind, slots.map { Slot(kind: $0.kind, hasEscapes: $0.hasEscapes, start: $0.start, end: $0.end) })
            case .failure(let error):
                self = .failed(error)
            }
        }
    }

    struct Slot: Equatable {
        let kind: ScannedValue.Kind
        let hasEscapes: Bool
        let start: Int
        let end: Int
    }

    static func outcome(_ bytes: [UInt8], _ trie: SelectorTrie, reference: Bool) -> Outcome {
        var slots = Array(repeating: ScannedValue.absent, count: trie.slotCount)
        let result: Result<ScannedValue.Kind, JSONSyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            slots.withUnsafeMutableBufferPointer { slotBuffer in
                trie.withView { view in
                    Result { () throws(JSONSyntaxError) in
                        reference
                            ? try ReferenceJSONScanner.scan(buffer, trie: view, slots: slotBuffer)
                            : try JSONScanner.scan(buffer, trie: view, slots: slotBuffer)
                    }
                }
            }
        }
        return Outcome(result, slots)
    }

    /// `JSONScanner`'s outcome through `scratch`, the buffer a thread reuses for every record.
    static func outcome(_ bytes: [UInt8], _ trie: SelectorTrie, scratch: inout [UInt8]) -> Outcome {
        var slots = Array(repeating: ScannedValue.absent, count: trie.slotCount)
        let result: Result<ScannedValue.Kind, JSONSyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            slots.withUnsafeMutableBufferPointer { slotBuffer in
                trie.withView { view in
                    Result { () throws(JSONSyntaxError) in try JSONScanner.scan(buffer, scratch: &scratch, trie: view, slots: slotBuffer) }
                }
            }
        }
        return Outcome(result, slots)
    }

    /// Round `round`'s document and trie: random JSON, whole (round % 3 == 0),
    /// mutated (1) or cut short (2), under a random selector trie.
    static func randomCase(_ round: Int, _ random: inout SeededGenerator) -> (bytes: [UInt8], trie: SelectorTrie) {
        var generator = RandomJSON(random: SeededGenerator(seed: random.next()))
        var bytes = Array(generator.value(depth: 0).utf8)
        if round % 3 == 1 { RandomJSON.mutate(&bytes, using: &random) }
        if round % 3 == 2 { bytes = Array(bytes.prefix(Int(random.next() % UInt64(bytes.count + 1)))) }
        return (bytes, SelectorTrie(paths: generator.paths(count: Int(random.next() % 12))))
    }

    /// A Kong record with an AI block and escapes in a selected value, and the extractor's kind of trie.
    static func kongCase() throws -> (record: [UInt8], trie: SelectorTrie) {
        let trie = ExtractionPlan(selectors: try [
            "$.route.name", "$.response.status", "$.ai.proxy.usage.prompt_tokens", "$.ai.proxy.meta.response_model",
            #"$.request.headers["x-request-id"]"#, "$.route.paths[0]",
        ].map { try JSONSelector(parsing: $0) }).structuredTrie
        let record = Array(InputFixtures.kong(extra: #""ai":{"#
            + InputFixtures.aiBlock(model: #""gpt-\u00e9\ud83d\ude00 4o""#) + "}").utf8)
        return (record, trie)
    }

    /// Runs both scanners over `bytes` with `trie`; a description of the difference, or nil.
    static func difference(_ bytes: [UInt8], _ trie: SelectorTrie) -> String? {
        let expected = outcome(bytes, trie, reference: true)
        let actual = outcome(bytes, trie, reference: false)
        guard expected != actual else { return nil }
        return "\(String(decoding: bytes.prefix(200), as: UTF8.self)): expected \(expected), got \(actual)"
    }

    @Test("random JSON, valid and mutated, under random selector tries: same outcome as the recursive scanner")
    func randomDocuments() {
        var random = SeededGenerator(seed: 0x5CA_77E5)
        var differences: [String] = []
        var failures = 0
        for round in 0..<30_000 {
            var generator = RandomJSON(random: SeededGenerator(seed: random.next()))
            let text = generator.value(depth: 0)
            var bytes = Array(text.utf8)
            if round % 3 != 0 { RandomJSON.mutate(&bytes, using: &random) }
            let trie = SelectorTrie(paths: generator.paths(count: Int(random.next() % 12)))
            if case .failed = Self.outcome(bytes, trie, reference: true) { failures += 1 }
            if let difference = Self.difference(bytes, trie), differences.count < 10 { differences.append(difference) }
        }
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
        #expect(failures > 10_000 && failures < 25_000, "both valid and malformed documents were tried (\(failures) malformed)")
    }

    @Test("one scratch buffer reused for long and short, whole and cut records, dirty past each: same outcomes as the recursive scanner")
    func reusedDirtyScratch() {
        var random = SeededGenerator(seed: 0xD127_5C2A)
        // Quotes, digits and spaces: a scan running on past the padding, or a padding
        // left stale by a longer record, would read them as JSON and change the outcome.
        var scratch = (0..<8_192).map { index -> UInt8 in index % 7 == 0 ? 0x22 : index % 5 == 0 ? 0x20 : 0x31 }
        var differences: [String] = []
        for round in 0..<20_000 {
            let (bytes, trie) = Self.randomCase(round, &random)
            let expected = Self.outcome(bytes, trie, reference: true)
            let actual = Self.outcome(bytes, trie, scratch: &scratch)
            if expected != actual, differences.count < 10 {
                differences.append("\(String(decoding: bytes.prefix(200), as: UTF8.self)): expected \(expected), got \(actual)")
            }
            // Dirty the buffer again right after this record's padding.
            let dirtyStart = min(scratch.count, bytes.count + JSONScanner.padding)
            for index in dirtyStart..<min(scratch.count, dirtyStart + 64) { scratch[index] = index % 2 == 0 ? 0x22 : 0x31 }
        }
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
    }

    @Test("nesting around the depth limit, inside selected and skipped containers")
    func depthLimit() {
        let tries = [
            SelectorTrie(paths: []),
            SelectorTrie(paths: [[.key("a")], [.key("a"), .key("a"), .key("a")]]),
            SelectorTrie(paths: [[.index(0), .index(0)], [.key("a"), .index(0), .key("a")]]),
        ]
        var differences: [String] = []
        for levels in [62, 63, 64, 65, 66, 100] {
            for opener in [#"{"a":"#, "[", #"{"a":["#] {
                let closer = opener == "[" ? "]" : opener == #"{"a":"# ? "}" : "]}"
                let body = String(repeating: opener, count: levels) + "1" + String(repeating: closer, count: levels)
                for text in [body, String(repeating: opener, count: levels) + "[]" + String(repeating: closer, count: levels),
                             String(body.dropLast())] {
                    for trie in tries {
                        if let difference = Self.difference(Array(text.utf8), trie) { differences.append(difference) }
                    }
                }
            }
        }
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
        let deep = Array((String(repeating: "[", count: 65) + String(repeating: "]", count: 65)).utf8)
        #expect(Self.outcome(deep, tries[0], reference: false) == .failed(JSONSyntaxError(offset: 64, problem: .tooDeep)))
    }

    @Test("every prefix and every single-byte change of a Kong record: same outcome as the recursive scanner")
    func kongRecordEdits() throws {
        let (record, extractorPaths) = try Self.kongCase()
        let replacements: [UInt8] = [0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x20, 0x0A, 0x00, 0x1F, 0x30, 0x2D,
                                     0x2E, 0x65, 0x74, 0x6E, 0x75, 0x80, 0xC3, 0xED, 0xF4, 0xFF]
        var differences: [String] = []
        for end in 0...record.count {
            if let difference = Self.difference(Array(record[..<end]), extractorPaths) { differences.append(difference) }
        }
        for index in record.indices {
            for byte in replacements {
                var edited = record
                edited[index] = byte
                if let difference = Self.difference(edited, extractorPaths), differences.count < 10 { differences.append(difference) }
            }
        }
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
    }
}
