@testable import MeterdCore
import Testing

@Suite struct InputJSONScannerTests {
    /// Scans `json` for `paths` and returns what each slot found, as (kind, raw text).
    func scan(_ json: String, _ paths: [[JSONSelector.Component]]) -> [(ScannedValue.Kind, String)]? {
        let trie = SelectorTrie(paths: paths)
        let bytes = Array(json.utf8)
        var slots = Array(repeating: ScannedValue.absent, count: trie.slotCount)
        let ok = bytes.withUnsafeBufferPointer { buffer in
            slots.withUnsafeMutableBufferPointer { slotBuffer in
                trie.withView { view in (try? JSONScanner.scan(buffer, trie: view, slots: slotBuffer)) != nil }
            }
        }
        guard ok else { return nil }
        return slots.map { ($0.kind, String(decoding: bytes[$0.start..<$0.end], as: UTF8.self)) }
    }

    @Test func recordsKindsAndRangesOfSelectedValues() throws {
        let json = #"{"a":{"s":"x\"y","n":-1.5e3,"t":true,"f":false,"z":null,"o":{"k":1},"l":[1,[2]]}}"#
        let keys = ["s", "n", "t", "f", "z", "o", "l", "missing"]
        let found = try #require(scan(json, keys.map { [.key("a"), .key($0)] }))
        #expect(found.map(\.0) == [.string, .number, .trueLiteral, .falseLiteral, .null, .object, .array, .absent])
        #expect(found.map(\.1) == [#"x\"y"#, "-1.5e3", "true", "false", "null", #"{"k":1}"#, "[1,[2]]", ""])
    }

    @Test func nestedSelectedPathsAreAllFilled() throws {
        let found = try #require(scan(#"{"a":{"b":{"c":7}}}"#, [[.key("a")], [.key("a"), .key("b"), .key("c")]]))
        #expect(found.map(\.0) == [.object, .number])
        #expect(found[1].1 == "7")
    }

    @Test func unescapesStringsAndSurrogatePairs() {
        let raw = Array(#"a\"b\\c\/d\b\f\n\r\t\u00e9\u20AC\ud83d\ude00"#.utf8)
        let text = raw.withUnsafeBufferPointer { JSONStringDecoder.string($0, hasEscapes: true) }
        #expect(text == "a\"b\\c/d\u{8}\u{C}\n\r\té€😀")
    }
}
