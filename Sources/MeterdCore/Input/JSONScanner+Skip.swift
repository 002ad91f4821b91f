extension JSONScanner {
    /// Validates the object or array at `pos`, which no selector leads into,
    /// and moves past it; `depth` containers are open around it.
    ///
    /// The same grammar, errors and depth limit as the selecting walk, with
    /// no trie, no slots and no frames: open containers are one bit each.
    func skipContainer(_ pos: inout Int, depth: Int) throws(JSONSyntaxError) {
        let limit = Self.maxDepth - depth
        var level = 0
        // Bit i set: the container open at level i is an array.
        var arrays: UInt64 = 0
        // Whether the innermost open container is an array.
        var inArray = false
        while true {
            let b = base[pos]
            switch b {
            case UInt8(ascii: "\""):
                pos &+= 1
                try skipStringBody(&pos)
            case 0x20, 0x0A, 0x0D, 0x09:
                // Whitespace before a value (see `scanRoot`).
                skipWhitespaceBytes(&pos)
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard level < limit else { throw fail(.tooDeep, at: pos) }
                pos &+= 1
                skipWhitespace(&pos)
                let isArray = b == UInt8(ascii: "[")
                if base[pos] == b &+ 2 {  // `]` and `}` follow `[` and `{` by 2
                    pos &+= 1
                    break
                }
                let bit: UInt64 = 1 << UInt64(level)
                arrays = isArray ? arrays | bit : arrays & ~bit
                level &+= 1
                inArray = isArray
                if !isArray { try skipKey(&pos) }
                continue
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try scanNumber(&pos)
            case UInt8(ascii: "t"):
                try scanLiteral(&pos, "true")
            case UInt8(ascii: "f"):
                try scanLiteral(&pos, "false")
            case UInt8(ascii: "n"):
                try scanLiteral(&pos, "null")
            default:
                throw fail(.unexpectedByte, at: pos)
            }
            // A value is complete: close every container it completes.
            while true {
                if level == 0 { return }
                // Compact layout, no whitespace: `,"` read as one 2-byte word, then the key.
                if !inArray,
                   UInt16(littleEndian: UnsafeRawPointer(base + pos).loadUnaligned(as: UInt16.self)) == 0x222C {
                    pos &+= 2
                    try skipKeyAfterQuote(&pos)
                    break
                }
                let c = byteAfterWhitespace(&pos)
                if c == UInt8(ascii: ",") {
                    pos &+= 1
                    if !inArray { try skipKey(&pos) }
                    break
                }
                guard c == (inArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) else { throw fail(.expectedCommaOrEnd, at: pos) }
                pos &+= 1
                level &-= 1
                inArray = level > 0 && (arrays >> UInt64(level &- 1)) & 1 != 0
            }
        }
    }

    /// Reads `"key":`, for a key nothing selects (whitespace after it is left to the value dispatch).
    @inline(__always)
    private func skipKey(_ pos: inout Int) throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "\""), &pos, else: .expectedKey)
        try skipKeyAfterQuote(&pos)
    }

    /// `skipKey` from just after the key's opening quote.
    @inline(__always)
    private func skipKeyAfterQuote(_ pos: inout Int) throws(JSONSyntaxError) {
        try skipStringBody(&pos)
        try expect(UInt8(ascii: ":"), &pos, else: .expectedColon)
    }
}
