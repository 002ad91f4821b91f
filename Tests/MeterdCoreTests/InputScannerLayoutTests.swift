@testable import MeterdCore
import Testing

/// The compact-layout shortcuts of `JSONScanner` (`,"` read as one word and
/// a colon right after a key in skipped containers; the first key of a
/// selected object read in line) against the byte-wise
/// `ReferenceJSONScanner`, for every mix of whitespace around `:` and `,`,
/// every prefix and every single-byte edit near the separators.
@Suite struct InputScannerLayoutTests {
    static let tries = [
        SelectorTrie(paths: []),
        SelectorTrie(paths: [[.key("o"), .key("k")], [.key("a")]]),
        SelectorTrie(paths: [[.key("o")], [.key("s"), .key("x")]]),
    ]

    /// Objects and arrays, skipped or selected depending on the trie, with
    /// `colon` before and after each `:` and `comma` before and after each `,`.
    static func documents(colon: String, comma: String) -> [[UInt8]] {
        let c = colon + ":" + colon
        let s = comma + "," + comma
        return [
            "{\"o\"\(c){\"k\"\(c)1\(s)\"kk\"\(c)\"v\"\(s)\"n\"\(c)[1\(s){\"z\"\(c)null}]}\(s)\"a\"\(c)2}",
            "{\"s\"\(c){\"x\"\(c){\"p\"\(c)true\(s)\"q\"\(c){}\(s)\"r\"\(c)[]}\(s)\"y\"\(c)\"long string value of 20\"}}",
            "[{\"a\"\(c)1\(s)\"b\"\(c){\"c\"\(c)\"d\"}}\(s){\"e\"\(c)false}]",
        ].map { Array($0.utf8) }
    }

    @Test("whitespace around colons and commas, every prefix and every edit of the separators: same outcome")
    func layouts() {
        let spacings = ["", " ", "\n", " \t"]
        let replacements: [UInt8] = [0x2C, 0x3A, 0x22, 0x20, 0x7D, 0x5D, 0x78, 0x7B, 0x5B, 0x00, 0xC3]
        var differences: [String] = []
        var checked = 0
        func check(_ bytes: [UInt8], _ trie: SelectorTrie) {
            checked += 1
            if let difference = InputScannerDifferentialTests.difference(bytes, trie), differences.count < 10 {
                differences.append(difference)
            }
        }
        for colon in spacings {
            for comma in spacings {
                for document in Self.documents(colon: colon, comma: comma) {
                    for trie in Self.tries {
                        for end in 0...document.count { check(Array(document[..<end]), trie) }
                        for (i, byte) in document.enumerated() where byte == 0x2C || byte == 0x3A || byte == 0x22 || byte <= 0x20 {
                            var deleted = document
                            deleted.remove(at: i)
                            check(deleted, trie)
                            for replacement in replacements where replacement != byte {
                                var edited = document
                                edited[i] = replacement
                                check(edited, trie)
                            }
                        }
                    }
                }
            }
        }
        #expect(checked > 50_000)
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
    }
}
