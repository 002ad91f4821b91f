import CMeterdSIMD

extension JSONScanner {
    /// Scans a string from just after its opening quote to just after its
    /// closing quote, validating escapes and UTF-8.
    ///
    /// Inlined for the common case, a plain ASCII string that ends within 16
    /// bytes: one block of the C kernel finds its closing quote. Anything
    /// else continues out of line.
    /// - Returns: whether the string holds an escape.
    @inline(__always)
    func scanStringBody(_ pos: inout Int) throws(JSONSyntaxError) -> Bool {
        // Within the padding the first NUL is flagged, so a quote found here is before the end.
        let attention = meterd_string_attention16(base + pos)
        if attention != 0 {
            pos &+= attention.trailingZeroBitCount
            if base[pos] == UInt8(ascii: "\"") {
                pos &+= 1
                return false
            }
        } else {
            pos &+= 16
        }
        return try scanStringRest(&pos)
    }

    /// `scanStringBody` for a string nothing selects (in a skipped container):
    /// the whole 16-byte block loop inline, as header values, ids and URLs are
    /// often 16 to 48 bytes long; out of line only at an escape, a control or
    /// non-ASCII byte, or at the end (the padding's NUL). Unlike `scanRoot`,
    /// `skipContainer` has the registers to spare for the loop.
    @inline(__always)
    func skipStringBody(_ pos: inout Int) throws(JSONSyntaxError) {
        if skipPlainBlocks(&pos) { return }
        _ = try scanStringRest(&pos)
    }

    /// Moves over 16-byte blocks of plain string bytes. True once past the
    /// closing quote; false at the first byte that needs a closer look
    /// (`pos` on it; at the end, the padding's first NUL).
    @inline(__always)
    private func skipPlainBlocks(_ pos: inout Int) -> Bool {
        while pos < count {
            let attention = meterd_string_attention16(base + pos)
            if attention != 0 {
                pos &+= attention.trailingZeroBitCount
                guard base[pos] == UInt8(ascii: "\"") else { return false }
                pos &+= 1
                return true
            }
            pos &+= 16
        }
        return false
    }

    /// The number of bytes from `pos` on (at most to the end) that are
    /// neither a quote, a backslash, a control character nor non-ASCII.
    @inline(__always)
    func plainSpan(from pos: Int) -> Int {
        meterd_plain_string_span(base + pos, count &- pos)
    }

    /// `scanStringBody` from `pos` on, byte by byte at escapes, non-ASCII
    /// and the end of the buffer.
    @inline(never)
    private func scanStringRest(_ pos: inout Int) throws(JSONSyntaxError) -> Bool {
        // The usual plain string first: 16-byte blocks up to its closing quote.
        if skipPlainBlocks(&pos) { return false }
        var escapes = false
        while true {
            pos &+= plainSpan(from: pos)
            guard pos < count else { throw fail(.unexpectedEnd, at: pos) }
            let b = base[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                return escapes
            }
            if b == UInt8(ascii: "\\") {
                escapes = true
                try scanEscape(&pos)
            } else if b < 0x20 {
                throw fail(.controlCharacterInString, at: pos)
            } else if b < 0x80 {
                pos += 1
            } else {
                try scanUTF8Sequence(&pos, lead: b)
            }
        }
    }

    private func scanEscape(_ pos: inout Int) throws(JSONSyntaxError) {
        pos += 1
        guard pos < count else { throw fail(.unexpectedEnd, at: pos) }
        switch base[pos] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            pos += 1
        case UInt8(ascii: "u"):
            pos += 1
            let unit = try scanHex4(&pos)
            if unit >= 0xDC00 && unit <= 0xDFFF { throw fail(.unpairedSurrogate, at: pos) }
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard pos + 1 < count, base[pos] == UInt8(ascii: "\\"), base[pos + 1] == UInt8(ascii: "u") else {
                    throw fail(.unpairedSurrogate, at: pos)
                }
                pos += 2
                let low = try scanHex4(&pos)
                guard low >= 0xDC00 && low <= 0xDFFF else { throw fail(.unpairedSurrogate, at: pos) }
            }
        default:
            throw fail(.invalidEscape, at: pos)
        }
    }

    private func scanHex4(_ pos: inout Int) throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard pos < count, let digit = JSONStringDecoder.hexValue(base[pos]) else { throw fail(.invalidEscape, at: pos) }
            value = value << 4 | digit
            pos += 1
        }
        return value
    }

    /// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
    private func scanUTF8Sequence(_ pos: inout Int, lead: UInt8) throws(JSONSyntaxError) {
        let continuation: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: continuation = 1
        case 0xE0: continuation = 2; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: continuation = 2
        case 0xED: continuation = 2; high = 0x9F
        case 0xF0: continuation = 3; low = 0x90
        case 0xF1...0xF3: continuation = 3
        case 0xF4: continuation = 3; high = 0x8F
        default: throw fail(.invalidUTF8, at: pos)
        }
        guard count - pos > continuation else {
            pos = count
            throw fail(.unexpectedEnd, at: pos)
        }
        let second = base[pos + 1]
        guard second >= low && second <= high else {
            pos += 1
            throw fail(.invalidUTF8, at: pos)
        }
        var i = 2
        while i <= continuation {
            guard base[pos + i] & 0xC0 == 0x80 else {
                pos += i
                throw fail(.invalidUTF8, at: pos)
            }
            i += 1
        }
        pos += continuation + 1
    }
}
