/// Turns the raw bytes of a JSON string (between its quotes, already
/// validated by `JSONScanner`) into its text.
enum JSONStringDecoder {
    @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// The string's text; `hasEscapes` false means the raw bytes are the text.
    static func string(_ raw: UnsafeBufferPointer<UInt8>, hasEscapes: Bool) -> String {
        if !hasEscapes { return String(decoding: raw, as: UTF8.self) }
        return String(decoding: unescapedBytes(raw), as: UTF8.self)
    }

    /// The UTF-8 of the string with every escape resolved (surrogate pairs
    /// combined). Input the scanner rejected never reaches here; should it,
    /// a broken escape decodes as U+FFFD instead of trapping.
    static func unescapedBytes(_ raw: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        func hex4(at index: Int) -> UInt32? {
            guard index + 4 <= raw.count else { return nil }
            var value: UInt32 = 0
            for k in 0..<4 {
                guard let digit = hexValue(raw[index + k]) else { return nil }
                value = value << 4 | digit
            }
            return value
        }
        while i < raw.count {
            let b = raw[i]
            guard b == UInt8(ascii: "\\"), i + 1 < raw.count else {
                out.append(b)
                i += 1
                continue
            }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar: UInt32 = 0xFFFD
                if let unit = hex4(at: i) {
                    i += 4
                    scalar = unit
                    if unit >= 0xD800 && unit <= 0xDBFF, i + 1 < raw.count, raw[i] == UInt8(ascii: "\\"),
                       raw[i + 1] == UInt8(ascii: "u"), let lowUnit = hex4(at: i + 2), lowUnit >= 0xDC00 && lowUnit <= 0xDFFF {
                        i += 6
                        scalar = 0x10000 + ((unit - 0xD800) << 10) + (lowUnit - 0xDC00)
                    }
                }
                appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &out)
            default: out.append(e)
            }
        }
        return out
    }

    private static func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        UTF8.encode(scalar) { out.append($0) }
    }
}
