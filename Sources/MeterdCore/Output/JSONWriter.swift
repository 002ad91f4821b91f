/// A minimal streaming JSON writer producing compact, byte-stable UTF-8:
/// no whitespace, keys written in the order the caller gives (callers give
/// them sorted), strings escaped per RFC 8259.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A key known at compile time (plain ASCII, nothing to escape): one copy.
    mutating func key(literal name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        appendLiteral(name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A string value known at compile time (plain ASCII, nothing to escape).
    mutating func string(literal value: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        appendLiteral(value)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    private mutating func appendLiteral(_ text: StaticString) {
        text.withUTF8Buffer { utf8 in
            assert(utf8.allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func string(_ value: String) {
        separate()
        appendQuoted(value)
        needsComma = true
    }

    /// An RFC 3339 timestamp string (`RFC3339`), written without an intermediate `String`.
    mutating func timestamp(_ epochMillis: Int64) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        RFC3339.append(epochMillis: epochMillis, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    mutating func number(_ value: Double) {
        separate()
        JSONNumberFormat.append(value, to: &bytes)
        needsComma = true
    }

    mutating func integer(_ value: Int64) {
        separate()
        JSONNumberFormat.appendDecimal(value, to: &bytes)
        needsComma = true
    }

    mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }

    /// A string of 32 lowercase hex digits (a CloudEvent id), written without an intermediate `String`.
    mutating func hexString(_ value: UInt128) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        StableHash.appendHex(value, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    private mutating func raw(_ text: String) {
        separate()
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendQuoted(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            var clean = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                index &+= 1
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean..<(index - 1)]))
                appendEscape(byte)
                clean = index
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean...]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private mutating func appendEscape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0x0F)])
        }
    }
}
