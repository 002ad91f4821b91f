@testable import MeterdCore

extension ReferenceJSONScanner {
    /// Scans a string from just after its opening quote to just after its
    /// closing quote, validating escapes and UTF-8.
    /// - Returns: whether the string holds an escape.
    mutating func scanStringBody() throws(JSONSyntaxError) -> Bool {
        var escapes = false
        while true {
            // Byte by byte, independent of the scanner's block kernels.
            while pos < count {
                let b = base[pos]
                guard b != UInt8(ascii: "\""), b != UInt8(ascii: "\\"), b >= 0x20, b < 0x80 else { break }
                pos &+= 1
            }
            guard pos < count else { throw fail(.unexpectedEnd) }
            let b = base[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                return escapes
            }
            if b == UInt8(ascii: "\\") {
                escapes = true
                try scanEscape()
            } else if b < 0x20 {
                throw fail(.controlCharacterInString)
            } else if b < 0x80 {
                pos += 1
            } else {
                try scanUTF8Sequence(lead: b)
            }
        }
    }

    private mutating func scanEscape() throws(JSONSyntaxError) {
        pos += 1
        guard pos < count else { throw fail(.unexpectedEnd) }
        switch base[pos] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            pos += 1
        case UInt8(ascii: "u"):
            pos += 1
            let unit = try scanHex4()
            if unit >= 0xDC00 && unit <= 0xDFFF { throw fail(.unpairedSurrogate) }
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard pos + 1 < count, base[pos] == UInt8(ascii: "\\"), base[pos + 1] == UInt8(ascii: "u") else {
                    throw fail(.unpairedSurrogate)
                }
                pos += 2
                let low = try scanHex4()
                guard low >= 0xDC00 && low <= 0xDFFF else { throw fail(.unpairedSurrogate) }
            }
        default:
            throw fail(.invalidEscape)
        }
    }

    private mutating func scanHex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard pos < count, let digit = JSONStringDecoder.hexValue(base[pos]) else { throw fail(.invalidEscape) }
            value = value << 4 | digit
            pos += 1
        }
        return value
    }

    /// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
    private mutating func scanUTF8Sequence(lead: UInt8) throws(JSONSyntaxError) {
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
        default: throw fail(.invalidUTF8)
        }
        guard count - pos > continuation else {
            pos = count
            throw fail(.unexpectedEnd)
        }
        let second = base[pos + 1]
        guard second >= low && second <= high else {
            pos += 1
            throw fail(.invalidUTF8)
        }
        var i = 2
        while i <= continuation {
            guard base[pos + i] & 0xC0 == 0x80 else {
                pos += i
                throw fail(.invalidUTF8)
            }
            i += 1
        }
        pos += continuation + 1
    }
}
