@testable import MeterdCore
import Testing

/// `JSONScanner.scan(inPlace:)` reads a text where it lies, trusting only
/// that a 0 follows it and that `padding` bytes can be read: whatever comes
/// after that 0 (here: quotes, brackets, digits, escapes, non-ASCII) must
/// not change any outcome. Compared with the copying scan, itself checked
/// against the recursive reference scanner (`InputScannerDifferentialTests`).
@Suite struct InputScannerInPlaceTests {
    typealias Outcome = InputScannerDifferentialTests.Outcome

    /// Bytes that would mean something to a walk that read past the 0.
    static let hostileTail: [UInt8] = Array(#""\}],:{[1e.-atn "#.utf8) + [0xFF, 0x80, 0xC3, 0x0A]

    static func tail(_ random: inout SeededGenerator) -> [UInt8] {
        (1..<JSONScanner.padding).map { _ in hostileTail[Int(random.next() % UInt64(hostileTail.count))] }
    }

    static func inPlaceOutcome(_ bytes: [UInt8], _ trie: SelectorTrie, tail: [UInt8]) -> Outcome {
        var slots = Array(repeating: ScannedValue.absent, count: trie.slotCount)
        let buffer = bytes + [0] + tail
        let result: Result<ScannedValue.Kind, JSONSyntaxError> = buffer.withUnsafeBufferPointer { whole in
            slots.withUnsafeMutableBufferPointer { slotBuffer in
                trie.withView { view in
                    Result { () throws(JSONSyntaxError) in
                        try JSONScanner.scan(inPlace: UnsafeBufferPointer(rebasing: whole[..<bytes.count]), trie: view, slots: slotBuffer)
                    }
                }
            }
        }
        return Outcome(result, slots)
    }

    static func difference(_ bytes: [UInt8], _ trie: SelectorTrie, _ random: inout SeededGenerator) -> String? {
        let expected = InputScannerDifferentialTests.outcome(bytes, trie, reference: false)
        let actual = inPlaceOutcome(bytes, trie, tail: tail(&random))
        guard expected != actual else { return nil }
        return "\(String(decoding: bytes.prefix(200), as: UTF8.self)): copied \(expected), in place \(actual)"
    }

    @Test("random JSON, valid, mutated and cut short, with hostile bytes after the 0: same outcome as the copying scan")
    func randomDocuments() {
        var random = SeededGenerator(seed: 0x1_9A7E)
        var differences: [String] = []
        var failures = 0
        for round in 0..<20_000 {
            let (bytes, trie) = InputScannerDifferentialTests.randomCase(round, &random)
            if case .failed = InputScannerDifferentialTests.outcome(bytes, trie, reference: false) { failures += 1 }
            if let difference = Self.difference(bytes, trie, &random), differences.count < 10 { differences.append(difference) }
        }
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
        #expect(failures > 5_000 && failures < 18_000, "both valid and malformed documents were tried (\(failures) malformed)")
    }

    @Test("every prefix and every single-byte change of a Kong record, and strings cut at every block offset")
    func recordEditsAndBlockEdges() throws {
        var random = SeededGenerator(seed: 0x7A11)
        let (record, trie) = try InputScannerDifferentialTests.kongCase()
        var differences: [String] = []
        for end in 0...record.count {
            if let difference = Self.difference(Array(record[..<end]), trie, &random), differences.count < 10 { differences.append(difference) }
        }
        for index in record.indices {
            for byte: UInt8 in [0x22, 0x5C, 0x7D, 0x5D, 0x2C, 0x00, 0x1F, 0x30, 0x80, 0xC3, 0xFF] {
                var edited = record
                edited[index] = byte
                if let difference = Self.difference(edited, trie, &random), differences.count < 10 { differences.append(difference) }
            }
        }
        for plant in InputScannerBlockEdgeTests.plants {
            for offset in 0..<18 {
                for document in InputScannerBlockEdgeTests.documents(plant: plant, offset: offset, tail: 5, shift: offset % 3) {
                    for end in stride(from: max(0, document.count - 24), through: document.count, by: 1) {
                        for blockTrie in InputScannerBlockEdgeTests.tries {
                            if let difference = Self.difference(Array(document[..<end]), blockTrie, &random), differences.count < 10 {
                                differences.append(difference)
                            }
                        }
                    }
                }
            }
        }
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
    }
}
