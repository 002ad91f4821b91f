@testable import MeterdCore
import Testing

/// `JSONScanner` against the byte-wise `ReferenceJSONScanner` around the
/// edges of 64-byte blocks (offsets 60–70 and 124–132), where a block-wise
/// skip would carry its in-string and escape state from one block to the
/// next: quotes, backslash runs of odd and even length, brackets, control
/// and non-ASCII bytes, in skipped and selected containers, whole and cut.
@Suite struct InputScannerWideBlockEdgeTests {
    /// Byte offsets just before, at and after the first two 64-byte block edges.
    static let offsets = Array(58...70) + Array(122...134)

    /// What is planted, on top of the 16-byte block plants: backslash runs
    /// (odd runs escape the quote after them), brackets and separators inside
    /// strings, and bytes that are invalid anywhere.
    static let plants: [[UInt8]] = InputScannerBlockEdgeTests.plants + [
        Array(#"\\\""#.utf8), Array(#"\\\\"#.utf8), Array(#"\\\\\""#.utf8), Array(#"\\\\\\"#.utf8),
        Array("{".utf8), Array("]".utf8), Array(#"":1,""#.utf8), Array(#"\"}"#.utf8), [0x00], [0xFF],
    ]

    /// A string of `offset` plain bytes, `plant`, then `tail` more, whose
    /// opening quote is at byte `lead`; in an object value, a key, an array,
    /// and a nested skipped container.
    static func documents(plant: [UInt8], offset: Int, tail: Int) -> [[UInt8]] {
        let body = Array(repeating: UInt8(ascii: "a"), count: offset) + plant + Array(repeating: UInt8(ascii: "b"), count: tail)
        let string = [UInt8(ascii: "\"")] + body + [UInt8(ascii: "\"")]
        return [
            Array(#"{"s":{"k":"#.utf8) + string + Array(#","n":[1,true]}}"#.utf8),
            Array(#"{"s":{"#.utf8) + string + Array(#":1,"k":{"x":null}}}"#.utf8),
            Array(#"{"s":[["#.utf8) + string + Array(#"],{"k":"#.utf8) + string + Array("}]}".utf8),
            Array(#"{"k":"#.utf8) + string + Array(#","o":{"k":1}}"#.utf8),
        ]
    }

    /// Structure (not string bytes) at every offset around the block edges:
    /// a skipped container whose brackets, colons, commas and numbers move
    /// across the edge as the padding before them grows.
    static func structureDocuments(padding: Int) -> [[UInt8]] {
        let pad = Array(repeating: UInt8(ascii: "p"), count: padding)
        let shapes = [
            #"{"a":[1,-2.5e3,{"b":[]},{}],"c":"d","e":false}"#,
            #"{"a":[[[["x"]]]],"b":{"c":{"d":null}}}"#,
            #"{"a":"\\\"\\","b":["\\","\""],"c":"é€😀"}"#,
        ]
        return shapes.map { Array(#"{"p":""#.utf8) + pad + Array(#"","s":"#.utf8) + Array($0.utf8) + Array(#","k":1}"#.utf8) }
    }

    @Test("interesting bytes around 64-byte block edges, in long strings, whole and cut short")
    func wideBlockEdges() {
        var differences: [String] = []
        var checked = 0
        for plant in Self.plants {
            for offset in Self.offsets {
                for tail in [0, 1, 7, 66] {
                    for document in Self.documents(plant: plant, offset: offset, tail: tail) {
                        for trie in InputScannerBlockEdgeTests.tries {
                            for end in Set([document.count, document.count - 1, min(document.count, 9 + offset)]) {
                                checked += 1
                                if let difference = InputScannerDifferentialTests.difference(Array(document[..<end]), trie),
                                   differences.count < 10 {
                                    differences.append(difference)
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(checked > 30_000)
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
    }

    @Test("brackets, separators and numbers of a skipped container at every offset around 64-byte block edges")
    func structureAcrossBlockEdges() {
        var differences: [String] = []
        var checked = 0
        for padding in 0..<80 {
            for document in Self.structureDocuments(padding: padding) {
                for trie in InputScannerBlockEdgeTests.tries {
                    // Every prefix, and every byte of the skipped part replaced by a few that break it.
                    for end in 1...document.count {
                        checked += 1
                        if let difference = InputScannerDifferentialTests.difference(Array(document[..<end]), trie),
                           differences.count < 10 {
                            differences.append(difference)
                        }
                    }
                    for index in (padding + 10)..<document.count {
                        for replacement in [UInt8(ascii: "]"), UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x20, 0x0A] {
                            var edited = document
                            edited[index] = replacement
                            checked += 1
                            if let difference = InputScannerDifferentialTests.difference(edited, trie), differences.count < 10 {
                                differences.append(difference)
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
