import Testing
@testable import MeterdCore

/// The output encoders skip 8 clean bytes at a time (`SWAR`); these check
/// their bytes against byte-at-a-time references with every special byte
/// at every position of strings around the word size.
@Suite struct AggEscapeScanTests {
    private static func jsonReference(_ text: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0x08: out += Array(#"\b"#.utf8)
            case 0x0C: out += Array(#"\f"#.utf8)
            case 0..<0x20: out += Array(#"\u00"#.utf8) + Array("0123456789abcdef".utf8)[Int(byte >> 4)...Int(byte >> 4)]
                + Array("0123456789abcdef".utf8)[Int(byte & 0xF)...Int(byte & 0xF)]
            default: out.append(byte)
            }
        }
        return out + [UInt8(ascii: "\"")]
    }

    private static func keyReference(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "/": out += "%2F"
            case "=": out += "%3D"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    @Test func specialBytesAtEveryPositionAreEscapedAsByteByByte() {
        let specials: [Character] = ["\"", "\\", "\n", "\t", "\u{01}", "\u{1F}", "%", "/", "=", " ", "\u{7F}", "é", "\u{1F600}"]
        for length in 0...19 {
            for position in 0..<max(length, 1) {
                for special in specials {
                    var characters = Array(String(repeating: "a", count: length))
                    if length > 0 { characters[position] = special }
                    // A second special later in the string: the scan resumes after an escape.
                    if length > 10 { characters[length - 1] = "\"" }
                    let text = String(characters)
                    var writer = JSONWriter(capacity: 1)
                    writer.string(text)
                    #expect(writer.finish() == Self.jsonReference(text), "\(text.debugDescription)")
                    #expect(RollupKeyEncoding.escape(text) == Self.keyReference(text), "\(text.debugDescription)")
                }
            }
        }
    }

    @Test func swarAnswersExactlyForEveryByteInEveryLane() {
        for lane in 0..<8 {
            for value in 0...255 {
                // Clean filler ("a") around one byte under test.
                var word: UInt64 = 0x6161_6161_6161_6161
                word &= ~(UInt64(0xFF) << UInt64(8 * lane))
                word |= UInt64(value) << UInt64(8 * lane)
                #expect(SWAR.hasByte(below: 0x20, word) == (value < 0x20))
                #expect(SWAR.hasByte(UInt8(ascii: "\""), word) == (value == 0x22))
                #expect(SWAR.hasByte(UInt8(ascii: "="), word) == (value == 0x3D))
                #expect(JSONWriter.mayNeedEscape(word) == (value < 0x20 || value == 0x22 || value == 0x5C))
            }
        }
    }
}
