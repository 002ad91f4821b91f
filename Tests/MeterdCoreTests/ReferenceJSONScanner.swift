@testable import MeterdCore

// The recursive scanner that JSONScanner replaced (perf5x), kept unchanged as
// the oracle of the differential tests: same slots, same root kind, same
// error (problem and offset) for every input.
/// The pre-perf5x recursive validating JSON walk (test oracle).
///
/// It checks the whole text against RFC 8259 (strict UTF-8, no NaN or
/// Infinity, no trailing data, bounded nesting) and, while doing so, stores
/// the position of every value whose path is in the `SelectorTrie` into that
/// path's slot. It allocates nothing.
struct ReferenceJSONScanner {
    /// Objects and arrays nested deeper than this are `malformed_json`.
    static let maxDepth = 64

    let base: UnsafePointer<UInt8>
    let count: Int
    var pos: Int
    private let trie: SelectorTrieView
    private let slots: UnsafeMutableBufferPointer<ScannedValue>

    private init(base: UnsafePointer<UInt8>, count: Int, trie: SelectorTrieView, slots: UnsafeMutableBufferPointer<ScannedValue>) {
        self.base = base
        self.count = count
        self.pos = 0
        self.trie = trie
        self.slots = slots
    }

    /// Validates `bytes` as one JSON text and fills `slots` (which the caller
    /// set to `.absent`) with the values at the trie's paths.
    /// - Returns: the kind of the root value.
    static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>,
        trie: SelectorTrieView,
        slots: UnsafeMutableBufferPointer<ScannedValue>
    ) throws(JSONSyntaxError) -> ScannedValue.Kind {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { throw JSONSyntaxError(offset: 0, problem: .empty) }
        var scanner = ReferenceJSONScanner(base: base, count: bytes.count, trie: trie, slots: slots)
        return try scanner.scanDocument()
    }

    private mutating func scanDocument() throws(JSONSyntaxError) -> ScannedValue.Kind {
        skipWhitespace()
        guard pos < count else { throw JSONSyntaxError(offset: pos, problem: .empty) }
        let kind = try scanValue(node: 0, depth: 0)
        skipWhitespace()
        guard pos == count else { throw JSONSyntaxError(offset: pos, problem: .trailingData) }
        return kind
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while pos < count {
            let b = base[pos]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            pos += 1
        }
    }

    @inline(__always)
    func fail(_ problem: JSONSyntaxError.Problem) -> JSONSyntaxError {
        JSONSyntaxError(offset: pos, problem: pos >= count ? .unexpectedEnd : problem)
    }

    /// Scans the value at `pos` (no leading whitespace); `node` is its trie node or -1.
    private mutating func scanValue(node: Int, depth: Int) throws(JSONSyntaxError) -> ScannedValue.Kind {
        guard pos < count else { throw fail(.unexpectedEnd) }
        let start = pos
        var value: ScannedValue
        switch base[pos] {
        case UInt8(ascii: "\""):
            pos += 1
            let escapes = try scanStringBody()
            guard node >= 0 else { return .string }
            value = ScannedValue(kind: .string, hasEscapes: escapes, start: start + 1, end: pos - 1)
        case UInt8(ascii: "{"):
            try scanObject(node: node, depth: depth + 1)
            value = ScannedValue(kind: .object, hasEscapes: false, start: start, end: pos)
        case UInt8(ascii: "["):
            try scanArray(node: node, depth: depth + 1)
            value = ScannedValue(kind: .array, hasEscapes: false, start: start, end: pos)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try scanNumber()
            value = ScannedValue(kind: .number, hasEscapes: false, start: start, end: pos)
        case UInt8(ascii: "t"):
            try scanLiteral("true")
            value = ScannedValue(kind: .trueLiteral, hasEscapes: false, start: start, end: pos)
        case UInt8(ascii: "f"):
            try scanLiteral("false")
            value = ScannedValue(kind: .falseLiteral, hasEscapes: false, start: start, end: pos)
        case UInt8(ascii: "n"):
            try scanLiteral("null")
            value = ScannedValue(kind: .null, hasEscapes: false, start: start, end: pos)
        default:
            throw fail(.unexpectedByte)
        }
        if node >= 0 {
            let slot = trie.nodes[node].slot
            if slot >= 0 { slots[slot] = value }
        }
        return value.kind
    }

    private mutating func scanObject(node: Int, depth: Int) throws(JSONSyntaxError) {
        guard depth <= Self.maxDepth else { throw fail(.tooDeep) }
        pos += 1
        skipWhitespace()
        guard pos < count else { throw fail(.unexpectedEnd) }
        if base[pos] == UInt8(ascii: "}") {
            pos += 1
            return
        }
        let descend = node >= 0 && trie.nodes[node].edgeCount > 0
        while true {
            guard pos < count, base[pos] == UInt8(ascii: "\"") else { throw fail(.expectedKey) }
            pos += 1
            let keyStart = pos
            let keyEscapes = try scanStringBody()
            let keyEnd = pos - 1
            skipWhitespace()
            guard pos < count, base[pos] == UInt8(ascii: ":") else { throw fail(.expectedColon) }
            pos += 1
            skipWhitespace()
            var child = -1
            if descend {
                child = childForKey(node: node, start: keyStart, end: keyEnd, escaped: keyEscapes)
            }
            _ = try scanValue(node: child, depth: depth)
            if try moreItems(closing: UInt8(ascii: "}")) { continue }
            return
        }
    }

    private func childForKey(node: Int, start: Int, end: Int, escaped: Bool) -> Int {
        if !escaped {
            let length = end - start
            // The bytes after a key (quote, colon, value) are in the buffer, so reading 8 at once is safe when they fit.
            let prefix: UInt64
            if start + 8 <= count {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self))
                prefix = length >= 8 ? word : word & ((1 << (UInt64(length) * 8)) - 1)
            } else {
                prefix = SelectorTrie.prefix(UnsafeBufferPointer(start: base + start, count: length))
            }
            return trie.child(of: node, key: UnsafeBufferPointer(start: base + start, count: length), prefix: prefix)
        }
        let name = JSONStringDecoder.unescapedBytes(UnsafeBufferPointer(start: base + start, count: end - start))
        return name.withUnsafeBufferPointer { trie.child(of: node, key: $0) }
    }

    private mutating func scanArray(node: Int, depth: Int) throws(JSONSyntaxError) {
        guard depth <= Self.maxDepth else { throw fail(.tooDeep) }
        pos += 1
        skipWhitespace()
        guard pos < count else { throw fail(.unexpectedEnd) }
        if base[pos] == UInt8(ascii: "]") {
            pos += 1
            return
        }
        let descend = node >= 0 && trie.nodes[node].edgeCount > 0
        var index = 0
        while true {
            let child = descend ? trie.child(of: node, index: index) : -1
            _ = try scanValue(node: child, depth: depth)
            index += 1
            if try moreItems(closing: UInt8(ascii: "]")) { continue }
            return
        }
    }

    /// After an object member or array element: `true` at a comma (more
    /// follow, whitespace skipped), `false` at `close`.
    @inline(__always)
    private mutating func moreItems(closing close: UInt8) throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard pos < count else { throw fail(.unexpectedEnd) }
        let b = base[pos]
        pos += 1
        if b == UInt8(ascii: ",") {
            skipWhitespace()
            return true
        }
        if b == close { return false }
        pos -= 1
        throw fail(.expectedCommaOrEnd)
    }

    private mutating func scanLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let n = literal.utf8CodeUnitCount
        guard count - pos >= n else {
            pos = count
            throw fail(.unexpectedEnd)
        }
        let expected = literal.utf8Start
        for i in 0..<n where base[pos + i] != expected[i] {
            pos += i
            throw fail(.invalidLiteral)
        }
        pos += n
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func scanNumber() throws(JSONSyntaxError) {
        if base[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < count, isDigit(base[pos]) else { throw fail(.invalidNumber) }
        if base[pos] == UInt8(ascii: "0") {
            pos += 1
        } else {
            while pos < count, isDigit(base[pos]) { pos += 1 }
        }
        if pos < count, base[pos] == UInt8(ascii: ".") {
            pos += 1
            guard pos < count, isDigit(base[pos]) else { throw fail(.invalidNumber) }
            while pos < count, isDigit(base[pos]) { pos += 1 }
        }
        if pos < count, base[pos] | 0x20 == UInt8(ascii: "e") {
            pos += 1
            if pos < count, base[pos] == UInt8(ascii: "+") || base[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < count, isDigit(base[pos]) else { throw fail(.invalidNumber) }
            while pos < count, isDigit(base[pos]) { pos += 1 }
        }
    }

    @inline(__always)
    private func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }
}
