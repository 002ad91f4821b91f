import Testing

@testable import MeterdCore

@Suite("String interner")
struct StringInternerTests {
    /// `string(_:)` of `bytes`, which must always equal `String(decoding:as:)`.
    private func interned(_ interner: inout StringInterner, _ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { interner.string($0) }
    }

    /// Byte strings of every length up to past `maxLength`, from a small
    /// alphabet with invalid UTF-8, plus pairs that agree in their first and
    /// last 8 bytes and differ only in between (same hash inputs).
    private func pool(seed: UInt64) -> [[UInt8]] {
        var random = SeededGenerator(seed: seed)
        let alphabet: [UInt8] = Array("ab-_./0129".utf8) + [0x00, 0xC3, 0xA9, 0xFF, 0x80]
        var pool: [[UInt8]] = [[]]
        for length in 1...(StringInterner.maxLength + 8) {
            for _ in 0..<3 { pool.append((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }) }
        }
        for length in 17...StringInterner.maxLength {
            let base = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }
            for middle in 8..<(length - 8) {
                var twin = base
                twin[middle] = twin[middle] == 0x61 ? 0x62 : 0x61
                pool.append(twin)
            }
            pool.append(base)
        }
        return pool
    }

    @Test("every result is exactly String(decoding:as:), hit or miss, for slot counts 0 to 256")
    func resultsAreExact() {
        for slotCount in [0, 1, 4, 256] {
            var interner = StringInterner(slotCount: slotCount)
            let strings = pool(seed: UInt64(slotCount) + 1)
            var random = SeededGenerator(seed: 99)
            var wrong: [[UInt8]] = []
            for _ in 0..<5_000 {
                let bytes = strings[Int.random(in: 0..<strings.count, using: &random)]
                if interned(&interner, bytes) != String(decoding: bytes, as: UTF8.self) { wrong.append(bytes) }
            }
            #expect(wrong.isEmpty, "\(wrong.count) wrong results with \(slotCount) slots, e.g. \(wrong.prefix(3))")
        }
    }

    @Test("strings that share their first and last words are told apart by the words between")
    func middleWordsDecide() {
        var interner = StringInterner(slotCount: 1)
        let base = Array("gpt-4o-2024-08-06-preview-01".utf8)
        var twin = base
        twin[12] = UInt8(ascii: "X")
        for _ in 0..<3 {
            #expect(interned(&interner, base) == "gpt-4o-2024-08-06-preview-01")
            #expect(interned(&interner, twin) == "gpt-4o-2024-X8-06-preview-01")
        }
    }

    @Test("a copy keeps its own results while both copies replace slots")
    func copiesAreIndependent() {
        var first = StringInterner(slotCount: 2)
        let words = ["openai", "anthropic", "mistral", "gpt-4o-mini-2024-07-18", "claude-3-5-sonnet-20241022", "kong"].map { Array($0.utf8) }
        for bytes in words { _ = interned(&first, bytes) }
        var second = first
        for round in 0..<50 {
            let a = words[round % words.count]
            let b = words[(round * 7 + 3) % words.count]
            #expect(interned(&first, a) == String(decoding: a, as: UTF8.self))
            #expect(interned(&second, b) == String(decoding: b, as: UTF8.self))
        }
    }

    @Test("a repeated value comes back from its slot: the same string storage")
    func repeatedValuesHit() {
        var interner = StringInterner(slotCount: 16)
        let bytes = Array("claude-3-5-sonnet-20241022".utf8)
        let a = interned(&interner, bytes)
        let b = interned(&interner, bytes)
        // Beyond 15 bytes a String has heap storage: a hit returns the same one.
        let sameStorage = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in x.baseAddress == y.baseAddress }
        }
        #expect(sameStorage == true)
    }
}
