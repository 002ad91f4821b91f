extension JSONScanner {
    /// Scans a string from just after its opening quote to just after its
    /// closing quote, validating escapes and UTF-8.
    ///
    /// Inlined for the common case, a plain ASCII string that ends within
    /// the buffer's whole words; anything else continues out of line.
    /// - Returns: whether the string holds an escape.
    @inline(__always)
    func scanStringBody(_ pos: inout Int) throws(JSONSyntaxError) -> Bool {
        // Most strings end within one word; longer ones continue 16 bytes at a time.
        if pos &+ 8 <= count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self))
            let attention = Self.attentionMask(word)
            if attention != 0 {
                pos &+= attention.trailingZeroBitCount &>> 3
                if base[pos] == UInt8(ascii: "\"") {
                    pos &+= 1
                    return false
                }
                return try scanStringRest(&pos)
            }
            pos &+= 8
            while pos &+ 16 <= count {
                let lanes = Self.attentionLanes(base + pos)
                if lanes[0] | lanes[1] != 0 {
                    pos &+= lanes[0] != 0 ? lanes[0].trailingZeroBitCount &>> 3 : 8 &+ lanes[1].trailingZeroBitCount &>> 3
                    if base[pos] == UInt8(ascii: "\"") {
                        pos &+= 1
                        return false
                    }
                    return try scanStringRest(&pos)
                }
                pos &+= 16
            }
        }
        while pos &+ 8 <= count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self))
            let attention = Self.attentionMask(word)
            if attention != 0 {
                pos &+= attention.trailingZeroBitCount &>> 3
                if base[pos] == UInt8(ascii: "\"") {
                    pos &+= 1
                    return false
                }
                break
            }
            pos &+= 8
        }
        return try scanStringRest(&pos)
    }

    /// `scanStringBody` from `pos` on, byte by byte at escapes, non-ASCII
    /// and the last few bytes.
    @inline(never)
    private func scanStringRest(_ pos: inout Int) throws(JSONSyntaxError) -> Bool {
        var escapes = false
        while true {
            while pos &+ 8 <= count {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self))
                let attention = Self.attentionMask(word)
                if attention != 0 {
                    pos &+= attention.trailingZeroBitCount &>> 3
                    break
                }
                pos &+= 8
            }
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

    /// High bits set in the bytes of `w` (little-endian) that are a quote,
    /// a backslash, a control character or non-ASCII. Bytes above a flagged
    /// one may be flagged falsely; the lowest flagged byte is always a true one.
    @inline(__always)
    static func attentionMask(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let below20 = (w &- ones &* 0x20) & ~w
        let quoteX = w ^ (ones &* 0x22)
        let quote = (quoteX &- ones) & ~quoteX
        let slashX = w ^ (ones &* 0x5C)
        let slash = (slashX &- ones) & ~slashX
        return (below20 | quote | slash | w) & highs
    }

    /// The 16 bytes at `p` as two little-endian words, each byte 0xFF where
    /// the byte is a quote, a backslash, a control character or non-ASCII
    /// (one signed compare catches the last two), else 0. SSE2 / NEON.
    @inline(__always)
    static func attentionLanes(_ p: UnsafePointer<UInt8>) -> SIMD2<UInt64> {
        let v = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int8>.self)
        let special = (v .< SIMD16<Int8>(repeating: 0x20))
            .| (v .== SIMD16<Int8>(repeating: 0x22))
            .| (v .== SIMD16<Int8>(repeating: 0x5C))
        return unsafeBitCast(special, to: SIMD2<UInt64>.self)
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
