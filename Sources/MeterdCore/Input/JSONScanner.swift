/// A validating one-pass JSON walk straight over record bytes.
///
/// It checks the whole text against RFC 8259 (strict UTF-8, no NaN or
/// Infinity, no trailing data, bounded nesting) and, while doing so, stores
/// the position of every value whose path is in the `SelectorTrie` into that
/// path's slot. It reads a padded copy of the record (`scan(_:scratch:trie:slots:)`),
/// or the record where it lies when a 0 follows it (`scan(inPlace:trie:slots:)`),
/// and allocates nothing else.
///
/// One loop with an explicit stack of open containers, not one call per
/// value: containers no selector leads into are only validated
/// (`JSONScanner+Skip.swift`), and keys are looked up only where the trie
/// has edges.
struct JSONScanner {
    /// Objects and arrays nested deeper than this are `malformed_json`.
    static let maxDepth = 64
    /// NUL bytes after the last byte of the text: at least one 16-byte
    /// string block and an 8-byte key word past any position the walk reaches.
    static let padding = 32

    let base: UnsafePointer<UInt8>
    let count: Int
    private let trie: SelectorTrieView
    private let slots: UnsafeMutableBufferPointer<ScannedValue>

    /// An open object or array on a selector path.
    private struct Frame {
        /// The container's trie node.
        var node: Int
        /// Offset of its opening bracket.
        var start: Int
        /// Position of the element being read (arrays).
        var index: Int
        var isArray: Bool
    }

    private init(base: UnsafePointer<UInt8>, count: Int, trie: SelectorTrieView, slots: UnsafeMutableBufferPointer<ScannedValue>) {
        self.base = base
        self.count = count
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
        var scratch: [UInt8] = []
        return try scan(bytes, scratch: &scratch, trie: trie, slots: slots)
    }

    /// `scan(_:trie:slots:)` over a copy of `bytes` in `scratch`, which it
    /// grows as needed: pass the same array for every record of a thread.
    ///
    /// The walk reads the copy followed by `padding` NUL bytes, so its loops
    /// need no end checks: a NUL ends every token and is never valid JSON
    /// outside a string, and its errors at the end become `unexpectedEnd`.
    static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>,
        scratch: inout [UInt8],
        trie: SelectorTrieView,
        slots: UnsafeMutableBufferPointer<ScannedValue>
    ) throws(JSONSyntaxError) -> ScannedValue.Kind {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { throw JSONSyntaxError(offset: 0, problem: .empty) }
        let count = bytes.count
        if scratch.count < count &+ Self.padding {
            // Whole 4 KiB pages: a stream of records of similar size settles on one buffer.
            scratch = Array(repeating: 0, count: (count &+ Self.padding &+ 4_095) & ~4_095)
        }
        let result: Result<ScannedValue.Kind, JSONSyntaxError> = scratch.withUnsafeMutableBufferPointer { copy in
            let base = copy.baseAddress!
            base.update(from: source, count: count)
            (base + count).update(repeating: 0, count: padding)
            return Result { () throws(JSONSyntaxError) in try walk(UnsafePointer(base), count: count, trie: trie, slots: slots) }
        }
        return try result.get()
    }

    /// `scan(_:trie:slots:)` over `bytes` where they lie, without the copy,
    /// for a caller that guarantees what the copy's padding gives the walk:
    /// the byte after them is 0, and `padding` bytes from it on can be read.
    /// The walk never decides anything on a byte past that 0: it ends every
    /// token (a control byte in a string, invalid elsewhere), and every read
    /// past it (a 16-byte string block, an 8-byte key word) is masked or
    /// stops at the first flagged byte.
    static func scan(
        inPlace bytes: UnsafeBufferPointer<UInt8>,
        trie: SelectorTrieView,
        slots: UnsafeMutableBufferPointer<ScannedValue>
    ) throws(JSONSyntaxError) -> ScannedValue.Kind {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { throw JSONSyntaxError(offset: 0, problem: .empty) }
        assert(base[bytes.count] == 0, "scan(inPlace:) needs a 0 byte after the text")
        return try walk(base, count: bytes.count, trie: trie, slots: slots)
    }

    private static func walk(
        _ base: UnsafePointer<UInt8>, count: Int, trie: SelectorTrieView, slots: UnsafeMutableBufferPointer<ScannedValue>
    ) throws(JSONSyntaxError) -> ScannedValue.Kind {
        let scanner = JSONScanner(base: base, count: count, trie: trie, slots: slots)
        // Frames are pushed only for nodes with edges, so the trie's height bounds them.
        let result: Result<ScannedValue.Kind, JSONSyntaxError> = withUnsafeTemporaryAllocation(
            of: Frame.self, capacity: trie.height
        ) { frames in
            Result { () throws(JSONSyntaxError) in try scanner.scanDocument(frames) }
        }
        return try result.get()
    }

    private func scanDocument(_ frames: UnsafeMutableBufferPointer<Frame>) throws(JSONSyntaxError) -> ScannedValue.Kind {
        var pos = 0
        skipWhitespace(&pos)
        guard pos < count else { throw JSONSyntaxError(offset: pos, problem: .empty) }
        let kind = try scanRoot(&pos, frames)
        skipWhitespace(&pos)
        guard pos == count else { throw JSONSyntaxError(offset: pos, problem: .trailingData) }
        return kind
    }

    /// Inlined test for the usual case, no whitespace at all; the loop is out of line.
    @inline(__always)
    func skipWhitespace(_ pos: inout Int) {
        guard base[pos] <= 0x20 else { return }
        skipWhitespaceBytes(&pos)
    }

    @inline(never)
    func skipWhitespaceBytes(_ pos: inout Int) {
        // Bits 0x20, 0x0D, 0x0A, 0x09: the four JSON whitespace bytes.
        while true {
            let b = base[pos]
            guard b <= 0x20, (UInt64(0x1_0000_2600) >> UInt64(b)) & 1 != 0 else { return }
            pos &+= 1
        }
    }

    /// The error for `problem` at `pos`, or `unexpectedEnd` once past the last byte.
    @inline(__always)
    func fail(_ problem: JSONSyntaxError.Problem, at pos: Int) -> JSONSyntaxError {
        JSONSyntaxError(offset: pos, problem: pos >= count ? .unexpectedEnd : problem)
    }

    /// Scans the root value. Frames hold only the open containers that have
    /// trie edges; a container without is skipped in one call.
    private func scanRoot(_ pos: inout Int, _ frames: UnsafeMutableBufferPointer<Frame>) throws(JSONSyntaxError) -> ScannedValue.Kind {
        var depth = 0
        var node = 0
        while true {
            // A value for trie node `node` (-1: none) starts at `pos`; past the end, the NUL padding
            // takes the `default` branch, whose error becomes `unexpectedEnd` there.
            let start = pos
            var value: ScannedValue
            let b = base[pos]
            switch b {
            case UInt8(ascii: "\""):
                pos &+= 1
                let escapes = try scanStringBody(&pos)
                value = ScannedValue(kind: .string, hasEscapes: escapes, start: start &+ 1, end: pos &- 1)
            case 0x20, 0x0A, 0x0D, 0x09:
                // Whitespace before a value: skipped here rather than after every colon and comma,
                // where compact records have none.
                skipWhitespaceBytes(&pos)
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isArray = b == UInt8(ascii: "[")
                guard node >= 0, trie.nodes[node].edgeCount > 0 else {
                    try skipContainer(&pos, depth: depth)
                    value = ScannedValue(kind: isArray ? .array : .object, hasEscapes: false, start: start, end: pos)
                    break
                }
                guard depth < Self.maxDepth else { throw fail(.tooDeep, at: pos) }
                pos &+= 1
                skipWhitespace(&pos)
                if base[pos] == b &+ 2 {  // `]` and `}` follow `[` and `{` by 2
                    pos &+= 1
                    value = ScannedValue(kind: isArray ? .array : .object, hasEscapes: false, start: start, end: pos)
                    break
                }
                frames[depth] = Frame(node: node, start: start, index: 0, isArray: isArray)
                depth &+= 1
                node = isArray ? trie.child(of: node, index: 0) : try scanKey(&pos, parent: node)
                continue
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try scanNumber(&pos)
                value = ScannedValue(kind: .number, hasEscapes: false, start: start, end: pos)
            case UInt8(ascii: "t"):
                try scanLiteral(&pos, "true")
                value = ScannedValue(kind: .trueLiteral, hasEscapes: false, start: start, end: pos)
            case UInt8(ascii: "f"):
                try scanLiteral(&pos, "false")
                value = ScannedValue(kind: .falseLiteral, hasEscapes: false, start: start, end: pos)
            case UInt8(ascii: "n"):
                try scanLiteral(&pos, "null")
                value = ScannedValue(kind: .null, hasEscapes: false, start: start, end: pos)
            default:
                throw fail(.unexpectedByte, at: pos)
            }
            // The value is complete: store it, then close every container it completes.
            while true {
                if node >= 0 {
                    let slot = trie.nodes[node].slot
                    if slot >= 0 { slots[slot] = value }
                }
                if depth == 0 { return value.kind }
                let c = byteAfterWhitespace(&pos)
                let top = depth &- 1
                let isArray = frames[top].isArray
                if c == UInt8(ascii: ",") {
                    pos &+= 1
                    if isArray {
                        frames[top].index &+= 1
                        node = trie.child(of: frames[top].node, index: frames[top].index)
                    } else {
                        // `scanKey`, written out: the hottest call site, which the optimizer leaves outlined.
                        try expect(UInt8(ascii: "\""), &pos, else: .expectedKey)
                        let keyStart = pos
                        let keyEscapes = try scanStringBody(&pos)
                        let keyEnd = pos &- 1
                        try expect(UInt8(ascii: ":"), &pos, else: .expectedColon)
                        let parent = frames[top].node
                        node = keyEscapes || trie.mayHaveKey(ofLength: keyEnd &- keyStart, below: parent)
                            ? childForKey(node: parent, start: keyStart, end: keyEnd, escaped: keyEscapes) : -1
                    }
                    break
                }
                guard c == (isArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) else { throw fail(.expectedCommaOrEnd, at: pos) }
                pos &+= 1
                depth = top
                node = frames[top].node
                value = ScannedValue(kind: isArray ? .array : .object, hasEscapes: false, start: frames[top].start, end: pos)
            }
        }
    }

    /// Reads `"key":` (whitespace after it is left to the value dispatch).
    /// - Returns: the trie child of `parent` for the key, or -1.
    @inline(__always)
    private func scanKey(_ pos: inout Int, parent: Int) throws(JSONSyntaxError) -> Int {
        try expect(UInt8(ascii: "\""), &pos, else: .expectedKey)
        let keyStart = pos
        let keyEscapes = try scanStringBody(&pos)
        let keyEnd = pos &- 1
        try expect(UInt8(ascii: ":"), &pos, else: .expectedColon)
        return childForKey(node: parent, start: keyStart, end: keyEnd, escaped: keyEscapes)
    }

    /// The first byte at or after `pos` that is not whitespace, with `pos`
    /// moved to it: what follows a value (a comma or a closing bracket).
    /// At the end this is the padding's NUL, which the caller rejects.
    @inline(__always)
    func byteAfterWhitespace(_ pos: inout Int) -> UInt8 {
        let b = base[pos]
        guard b <= 0x20 else { return b }
        skipWhitespaceBytes(&pos)
        return base[pos]
    }

    /// Moves past optional whitespace and then `byte`, or throws `problem`
    /// at the first other byte. The byte right away is the compact layout's case.
    @inline(__always)
    func expect(_ byte: UInt8, _ pos: inout Int, else problem: JSONSyntaxError.Problem) throws(JSONSyntaxError) {
        if base[pos] == byte {
            pos &+= 1
            return
        }
        skipWhitespace(&pos)
        guard base[pos] == byte else { throw fail(problem, at: pos) }
        pos &+= 1
    }

    @inline(__always)
    private func childForKey(node: Int, start: Int, end: Int, escaped: Bool) -> Int {
        let length = end &- start
        guard !escaped else { return childForEscapedKey(node: node, start: start, length: length) }
        guard trie.mayHaveKey(ofLength: length, below: node) else { return -1 }
        // The padding makes reading 8 bytes at once safe.
        let word = UInt64(littleEndian: UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self))
        let prefix = length >= 8 ? word : word & ((1 << (UInt64(length) &* 8)) &- 1)
        return trie.child(of: node, key: UnsafeBufferPointer(start: base + start, count: length), prefix: prefix)
    }

    @inline(never)
    private func childForEscapedKey(node: Int, start: Int, length: Int) -> Int {
        let name = JSONStringDecoder.unescapedBytes(UnsafeBufferPointer(start: base + start, count: length))
        return name.withUnsafeBufferPointer { trie.child(of: node, key: $0) }
    }
}
