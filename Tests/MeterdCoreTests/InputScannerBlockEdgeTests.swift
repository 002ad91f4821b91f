@testable import MeterdCore
import Testing

/// The word- and 16-byte-block string scanning of `JSONScanner` against the
/// byte-wise `ReferenceJSONScanner`, with the bytes that end a fast stretch
/// (quote, escape, control byte, non-ASCII, invalid UTF-8) at every offset
/// of a block, in keys and values, selected and skipped, whole and cut short.
@Suite struct InputScannerBlockEdgeTests {
    /// What is planted into a run of plain ASCII.
    static let plants: [[UInt8]] = [
        [],
        Array(#"\""#.utf8), Array(#"\\"#.utf8), Array(#"\n"#.utf8), Array(#"\u00e9"#.utf8),
        Array(#"\ud83d\ude00"#.utf8), Array("é".utf8), Array("€".utf8), Array("😀".utf8),
        [0x1F], [0x7F], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80],
        Array(#"\x"#.utf8), Array(#"\u12"#.utf8), Array(#"\udc00"#.utf8),
    ]

    static let tries = [
        SelectorTrie(paths: []),
        SelectorTrie(paths: [[.key("k")], [.key("o"), .key("k")]]),
        SelectorTrie(paths: [[.key("o")], [.key("a"), .index(1)]]),
    ]

    /// Documents with `plant` after `offset` plain bytes in a string that
    /// goes on for `tail` more, as key and value, at the top level and nested.
    static func documents(plant: [UInt8], offset: Int, tail: Int, shift: Int) -> [[UInt8]] {
        let body = Array(repeating: UInt8(ascii: "a"), count: offset) + plant + Array(repeating: UInt8(ascii: "b"), count: tail)
        let string = [UInt8(ascii: "\"")] + body + [UInt8(ascii: "\"")]
        let lead = Array(#"{"p":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: shift) + Array(#"","#.utf8)
        return [
            lead + Array(#""k":"#.utf8) + string + Array("}".utf8),
            lead + string + Array(#":1,"k":2}"#.utf8),
            lead + Array(#""o":{"k":"#.utf8) + string + Array(#","z":"#.utf8) + string + Array("}}".utf8),
            lead + Array(#""a":[1,"#.utf8) + string + Array(#",["#.utf8) + string + Array("]]}".utf8),
        ]
    }

    @Test("interesting bytes at every offset of a 16-byte block, in long strings, whole and cut short")
    func blockEdges() {
        var differences: [String] = []
        var checked = 0
        for plant in Self.plants {
            for offset in 0..<34 {
                for tail in [0, 1, 8, 15, 17] {
                    for shift in [0, 3] {
                        for document in Self.documents(plant: plant, offset: offset, tail: tail, shift: shift) {
                            for trie in Self.tries {
                                // Cut inside the string, right after it, and not at all.
                                for end in Set([document.count, document.count - 1, min(document.count, 12 + shift + offset)]) {
                                    checked += 1
                                    let bytes = Array(document[..<end])
                                    if let difference = InputScannerDifferentialTests.difference(bytes, trie), differences.count < 10 {
                                        differences.append(difference)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(checked > 100_000)
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
    }
}
