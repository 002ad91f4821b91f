/// A minimal streaming JSON writer producing compact, byte-stable UTF-8:
/// no whitespace, keys written in the order the caller gives (callers give
/// them sorted), strings escaped per RFC 8259.
///
/// It writes into memory of its own that grows when needed and is copied
/// out once by `finish()`: an output record is hundreds of small pieces,
/// and appending each to an `Array` (uniqueness and capacity checks per
/// append) cost more than the JSON itself. Or it writes into memory a
/// caller lends (`init(lending:)`), such as an array's uninitialized
/// capacity, and moves to memory of its own only if that fills up.
struct JSONWriter: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private var needsComma = false
    /// False while writing into lent memory.
    private var ownsStorage = true

    init(capacity: Int = 512) {
        self.capacity = max(capacity, 64)
        storage = .allocate(capacity: self.capacity)
    }

    /// Writes into `buffer` (memory of the caller's, initialized or not)
    /// until it is full, then into memory of its own (see `writtenInPlace`).
    init(lending buffer: UnsafeMutableBufferPointer<UInt8>) {
        if let base = buffer.baseAddress, buffer.count > 0 {
            storage = base
            capacity = buffer.count
            ownsStorage = false
        } else {
            capacity = 64
            storage = .allocate(capacity: capacity)
        }
    }

    deinit { if ownsStorage { storage.deallocate() } }

    /// With lent memory: how many bytes of it hold the JSON, or nil once
    /// the JSON outgrew it (then `finish()` has it all).
    var writtenInPlace: Int? { ownsStorage ? nil : count }

    /// The JSON written so far.
    consuming func finish() -> [UInt8] {
        Array(UnsafeBufferPointer(start: storage, count: count))
    }

    mutating func beginObject() {
        separate()
        put(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        put(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray() {
        separate()
        put(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        put(UInt8(ascii: "]"))
        needsComma = true
    }

    mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        put(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A key known at compile time (plain ASCII, nothing to escape): one copy.
    mutating func key(literal name: StaticString) {
        separate()
        put(UInt8(ascii: "\""))
        appendLiteral(name)
        put(UInt8(ascii: "\""))
        put(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Structure known at compile time (keys, separators, brackets: plain
    /// ASCII), written as is in one copy; what follows starts without a
    /// comma, so it must end in `:`, `{` or `[`, or end the document.
    mutating func fragment(_ text: StaticString) {
        text.withUTF8Buffer { utf8 in
            assert(utf8.allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != UInt8(ascii: "\\") })
            put(UnsafeRawBufferPointer(utf8))
        }
        needsComma = false
    }

    /// How many bytes are written: marks a value for `value(copying:)`.
    var position: Int { count }

    /// The value written at `range` (marked by `position` before and after
    /// it) written again: a value that occurs twice is formatted once.
    mutating func value(copying range: Range<Int>) {
        guard range.lowerBound >= 0, range.upperBound <= count else { return }
        separate()
        reserve(range.count)
        (storage + count).update(from: storage + range.lowerBound, count: range.count)
        count += range.count
        needsComma = true
    }

    /// A string value known at compile time (plain ASCII, nothing to escape).
    mutating func string(literal value: StaticString) {
        separate()
        put(UInt8(ascii: "\""))
        appendLiteral(value)
        put(UInt8(ascii: "\""))
        needsComma = true
    }

    mutating func string(_ value: String) {
        separate()
        appendQuoted(value)
        needsComma = true
    }

    /// An RFC 3339 timestamp string (`RFC3339`), written without an intermediate `String`.
    mutating func timestamp(_ epochMillis: Int64) {
        separate()
        put(UInt8(ascii: "\""))
        reserve(RFC3339.maxLength)
        count += RFC3339.write(epochMillis: epochMillis, to: storage + count)
        put(UInt8(ascii: "\""))
        needsComma = true
    }

    mutating func number(_ value: Double) {
        separate()
        if let integral = JSONNumberFormat.plainInteger(value) {
            putDecimal(integral)
        } else {
            var text = JSONNumberFormat.string(value)
            text.withUTF8 { put(UnsafeRawBufferPointer($0)) }
        }
        needsComma = true
    }

    mutating func integer(_ value: Int64) {
        separate()
        putDecimal(value)
        needsComma = true
    }

    mutating func bool(_ value: Bool) {
        separate()
        appendLiteral(value ? "true" : "false")
        needsComma = true
    }

    /// A string of 32 lowercase hex digits (a CloudEvent id), written without an intermediate `String`.
    mutating func hexString(_ value: UInt128) {
        separate()
        put(UInt8(ascii: "\""))
        reserve(32)
        StableHash.writeHex(value, into: UnsafeMutableBufferPointer(start: storage + count, count: 32))
        count += 32
        put(UInt8(ascii: "\""))
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { put(UInt8(ascii: ",")) }
    }

    private mutating func putDecimal(_ value: Int64) {
        reserve(JSONNumberFormat.maxDecimalLength)
        count += JSONNumberFormat.writeDecimal(value, to: storage + count)
    }

    /// Room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        grow(to: count + extra)
    }

    private mutating func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.update(from: storage, count: count)
        if ownsStorage { storage.deallocate() }
        storage = bigger
        capacity = newCapacity
        ownsStorage = true
    }

    @inline(__always)
    private mutating func put(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    private mutating func put(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        UnsafeMutableRawPointer(storage + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    private mutating func appendLiteral(_ text: StaticString) {
        text.withUTF8Buffer { utf8 in
            assert(utf8.allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
            put(UnsafeRawBufferPointer(utf8))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendQuoted(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            put(UInt8(ascii: "\""))
            var clean = 0
            var index = 0
            let raw = UnsafeRawBufferPointer(utf8)
            while index < utf8.count {
                // Eight bytes at a time while none needs escaping (most text).
                if index &+ 8 <= utf8.count, !Self.mayNeedEscape(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                    index &+= 8
                    continue
                }
                let byte = utf8[index]
                index &+= 1
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                put(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[clean..<(index - 1)])))
                appendEscape(byte)
                clean = index
            }
            put(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[clean...])))
            put(UInt8(ascii: "\""))
        }
    }

    /// Whether any of the 8 bytes of `word` is a control character, `"` or
    /// `\\` (SWAR: exact as a yes/no, the bytes are then checked one by one).
    @inline(__always)
    static func mayNeedEscape(_ word: UInt64) -> Bool {
        SWAR.hasByte(below: 0x20, word) || SWAR.hasByte(UInt8(ascii: "\""), word) || SWAR.hasByte(UInt8(ascii: "\\"), word)
    }

    private mutating func appendEscape(_ byte: UInt8) {
        put(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): put(byte)
        case 0x0A: put(UInt8(ascii: "n"))
        case 0x0D: put(UInt8(ascii: "r"))
        case 0x09: put(UInt8(ascii: "t"))
        case 0x08: put(UInt8(ascii: "b"))
        case 0x0C: put(UInt8(ascii: "f"))
        default:
            put(UInt8(ascii: "u"))
            put(UInt8(ascii: "0"))
            put(UInt8(ascii: "0"))
            put(Self.hexDigits[Int(byte >> 4)])
            put(Self.hexDigits[Int(byte & 0x0F)])
        }
    }
}
