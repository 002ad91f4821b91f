/// An event's id (Kong `request.id`, CloudEvent `id`): part of the dedupe
/// key and LATEST's tie-break, carried by every `UsageRecord`.
///
/// Ids of up to `inlineCapacity` UTF-8 bytes — UUIDs, ULIDs, Kong's 32-hex
/// ids — are held in the value itself, so extracting, re-keying and
/// decoding a record allocates nothing for its id (a `String` of more than
/// 15 bytes is a heap object: one malloc and free per record in each
/// stage). Longer ids are kept in a `String`. Equality, hashing and order
/// are those of the UTF-8 bytes, whichever way the id is held.
public struct EventID: Sendable {
    /// The most bytes held inline.
    public static let inlineCapacity = 40

    /// Inline bytes, zero past `count`.
    private var words: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
    /// The UTF-8 byte count.
    public private(set) var count: Int = 0
    /// Set for ids longer than `inlineCapacity`.
    private var spilled: String?

    /// The empty id.
    public init() {}

    public init(_ text: String) {
        var text = text
        if text.utf8.count > Self.inlineCapacity {
            spilled = text
            count = text.utf8.count
        } else {
            text.withUTF8 { setInline($0) }
        }
    }

    /// An id from bytes known to be valid UTF-8 (a validated JSON string
    /// without escapes, a `String`'s own bytes).
    init(validUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count > Self.inlineCapacity {
            spilled = String(decoding: bytes, as: UTF8.self)
            count = bytes.count
        } else {
            setInline(bytes)
        }
    }

    /// An id from bytes read back from storage: as `String(decoding:as:)`
    /// would read them, so invalid UTF-8 is repaired the same way.
    init(decoding bytes: UnsafeRawBufferPointer) {
        let utf8 = bytes.bindMemory(to: UInt8.self)
        if utf8.count <= Self.inlineCapacity, Self.isASCII(utf8) {
            self.init(validUTF8: utf8)
        } else {
            self.init(String(decoding: utf8, as: UTF8.self))
        }
    }

    /// Replaces the id with bytes read back from storage, as
    /// `init(decoding:)` would read them; an inline id is written in place
    /// (decoding into a reused record copies no temporary id in and out).
    mutating func replace(decoding bytes: UnsafeRawBufferPointer) {
        let utf8 = bytes.bindMemory(to: UInt8.self)
        guard utf8.count <= Self.inlineCapacity, Self.isASCII(utf8) else {
            self = EventID(decoding: bytes)
            return
        }
        // Short ASCII reads back unchanged: valid UTF-8.
        replace(validUTF8: utf8)
    }

    /// Replaces the id with bytes known to be valid UTF-8, as
    /// `init(validUTF8:)` would hold them; an inline id is written in place.
    mutating func replace(validUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= Self.inlineCapacity else {
            self = EventID(validUTF8: bytes)
            return
        }
        if spilled != nil { spilled = nil }
        words = (0, 0, 0, 0, 0)
        setInline(bytes)
    }

    private mutating func setInline(_ bytes: UnsafeBufferPointer<UInt8>) {
        count = bytes.count
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        withUnsafeMutableBytes(of: &words) { $0.baseAddress!.copyMemory(from: source, byteCount: bytes.count) }
    }

    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        // Eight bytes at a time, then the rest: any byte of 0x80 or above sets a high bit.
        var any: UInt64 = 0
        var offset = 0
        while offset &+ 8 <= bytes.count {
            any |= UnsafeRawPointer(base).loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset &+= 8
        }
        while offset < bytes.count {
            any |= UInt64(base[offset])
            offset &+= 1
        }
        return any & 0x8080_8080_8080_8080 == 0
    }

    /// Lends the id's UTF-8 bytes to `body`.
    @inline(__always)
    public func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if var spilled { return try spilled.withUTF8(body) }
        var words = words
        return try withUnsafeBytes(of: &words) { raw in
            try body(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count))
        }
    }

    /// Applies `step` with the words `FingerprintWords.fold` absorbs from the
    /// id's bytes. An inline id lends its words as they are held: its bytes
    /// are zero past `count` (`FingerprintWords.fold(zeroPadded:…)`).
    @inline(__always)
    func foldFingerprintWords<State>(into state: inout State, _ step: (inout State, UInt64) -> Void) {
        if let spilled {
            FingerprintWords.fold(spilled, into: &state, step)
            return
        }
        withUnsafeBytes(of: words) { raw in
            FingerprintWords.fold(zeroPadded: raw.baseAddress!, count: count, into: &state, step)
        }
    }

    /// Whether the id is longer than `inlineCapacity` (held in a `String`).
    var isSpilled: Bool { spilled != nil }
}

extension EventID: CustomStringConvertible {
    /// The id as text.
    public var description: String {
        if let spilled { return spilled }
        return withUTF8 { String(decoding: $0, as: UTF8.self) }
    }
}

extension EventID: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(value) }
}

extension EventID: Equatable, Hashable, Comparable {
    public static func == (a: EventID, b: EventID) -> Bool {
        guard a.count == b.count else { return false }
        if a.spilled == nil, b.spilled == nil {
            // Inline bytes are zero past `count`, so the words compare whole.
            return a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2
                && a.words.3 == b.words.3 && a.words.4 == b.words.4
        }
        return a.withUTF8 { x in b.withUTF8 { y in x.elementsEqual(y) } }
    }

    public func hash(into hasher: inout Hasher) {
        withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Byte-wise order of the UTF-8 (LATEST's tie-break).
    public static func < (a: EventID, b: EventID) -> Bool {
        a.withUTF8 { x in b.withUTF8 { y in x.lexicographicallyPrecedes(y) } }
    }
}
