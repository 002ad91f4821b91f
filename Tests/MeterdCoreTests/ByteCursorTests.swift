import Testing
@testable import MeterdCore

/// `ByteCursor`, the one raw byte writer (usage records, changelog keys and
/// values): byte for byte `BinaryWriter`'s encoding, never a byte outside
/// its buffer, and a size computed too small costs a second pass, not bytes.
@Suite struct ByteCursorTests {
    /// Values at every varint length edge (1…10 bytes).
    static let edgeValues: [UInt64] = {
        var values: [UInt64] = [0, 1, 0x7F, 0x80, UInt64.max, UInt64(Int64.max), UInt64(bitPattern: Int64.min)]
        for bits in stride(from: 7, through: 63, by: 7) { values += [(1 << bits) - 1, 1 << bits] }
        return values
    }()

    static let texts = ["", "a", "acme", "ü%=/", "\u{1F600} emoji", String(repeating: "x", count: 127),
                        String(repeating: "y", count: 128), String(repeating: "é", count: 200)]

    /// Writes through a cursor over exactly `count` bytes: (bytes, overflowed).
    private func written(room count: Int, _ body: (inout ByteCursor) -> Void) -> ([UInt8], Bool) {
        var storage = [UInt8](repeating: 0, count: count)
        let (position, overflowed) = storage.withUnsafeMutableBytes { buffer in
            var cursor = ByteCursor(buffer)
            body(&cursor)
            return (cursor.position, cursor.overflowed)
        }
        return (Array(storage[..<position]), overflowed)
    }

    @Test func varintsAtTheirSizeEdgesEqualBinaryWriter() {
        for value in Self.edgeValues {
            var expected = BinaryWriter()
            expected.write(varint: value)
            #expect(ByteCursor.size(varint: value) == expected.bytes.count, "\(value)")
            let (bytes, overflowed) = written(room: ByteCursor.varintBound) { $0.write(varint: value) }
            #expect(bytes == expected.bytes && !overflowed, "\(value)")
            let signed = Int64(bitPattern: value)
            var zigzag = BinaryWriter()
            zigzag.write(zigzag: signed)
            #expect(ByteCursor.size(zigzag: signed) == zigzag.bytes.count, "\(signed)")
            #expect(written(room: 10) { $0.write(zigzag: signed) }.0 == zigzag.bytes, "\(signed)")
            // Exactly the room it needs fits; one byte less does not.
            #expect(written(room: expected.bytes.count) { $0.write(varint: value) } == (expected.bytes, false))
            #expect(written(room: expected.bytes.count - 1) { $0.write(varint: value) }.1, "\(value)")
        }
    }

    @Test func everyValueKindEqualsBinaryWriter() {
        for text in Self.texts {
            var expected = BinaryWriter()
            expected.write(text)
            expected.write(Optional(text))
            expected.write(String?.none)
            expected.write(true)
            expected.write(-12_345)
            expected.write(Double.pi)
            expected.write(fixed: 0x0102_0304_0506_0708)
            expected.write(UInt8(0xFF))
            let size = ByteCursor.size(text)
            #expect(size == ByteCursor.size(stringOf: text.utf8.count))
            let (bytes, overflowed) = written(room: 2 * size + 64) { out in
                out.write(text)
                out.write(Optional(text))
                out.write(String?.none)
                out.write(true)
                out.write(-12_345)
                out.write(Double.pi)
                out.write(fixed: 0x0102_0304_0506_0708)
                out.write(UInt8(0xFF))
            }
            #expect(bytes == expected.bytes && !overflowed, "\(text)")
        }
    }

    @Test func aWritePastTheEndWritesNothingOutsideTheBuffer() {
        // (name, bytes one write takes, the write)
        let writes: [(String, Int, (inout ByteCursor) -> Void)] = [
            ("byte", 1, { $0.write(UInt8(7)) }),
            ("varint", 10, { $0.write(varint: UInt64.max) }),
            ("fixed", 8, { $0.write(fixed: UInt64.max) }),
            ("string", 41, { $0.write(String(repeating: "z", count: 40)) }),
            ("raw", 33, { out in [UInt8](repeating: 9, count: 33).withUnsafeBytes { out.write(raw: $0) } }),
        ]
        for (name, size, write) in writes {
            for room in 0..<12 {
                // A cursor over the middle of a guarded buffer: the guards must survive.
                var storage = [UInt8](repeating: 0xEE, count: room + 32)
                let (position, overflowed) = storage.withUnsafeMutableBytes { all in
                    var cursor = ByteCursor(UnsafeMutableRawBufferPointer(rebasing: all[16..<(16 + room)]))
                    write(&cursor)
                    write(&cursor)
                    return (cursor.position, cursor.overflowed)
                }
                #expect(position <= room, "\(name) room \(room)")
                #expect(storage[..<16].allSatisfy { $0 == 0xEE } && storage[(16 + room)...].allSatisfy { $0 == 0xEE }, "\(name) room \(room)")
                #expect(overflowed == (2 * size > room), "\(name) room \(room)")
                // A varint may have written its first bytes: the mark says the content is incomplete.
                if !overflowed { #expect(position == 2 * size, "\(name) room \(room)") }
            }
        }
        // An empty buffer has no base address: still no crash, only the mark.
        var empty = ByteCursor(UnsafeMutableRawBufferPointer(start: nil, count: 0))
        empty.write("text")
        empty.write(fixed: 1)
        #expect(empty.overflowed && empty.position == 0)
    }

    /// A body writing every kind of value, and its `BinaryWriter` encoding.
    private static func sample(_ text: String) -> ((inout ByteCursor) -> Void, [UInt8]) {
        var expected = BinaryWriter()
        expected.write(UInt8(ascii: "W"))
        expected.write(text)
        expected.write(varint: UInt64.max)
        expected.write(Double(-0.5))
        let body: (inout ByteCursor) -> Void = { out in
            out.write(UInt8(ascii: "W"))
            out.write(text)
            out.write(varint: UInt64.max)
            out.write(Double(-0.5))
        }
        return (body, expected.bytes)
    }

    @Test func aBoundTooSmallIsWrittenAgainWithMoreRoom() {
        for text in Self.texts {
            let (body, expected) = Self.sample(text)
            for bound in [0, 1, expected.count - 1, expected.count, expected.count + 100] {
                #expect(ByteCursor.bytes(bound: bound, body) == expected, "bound \(bound)")

                var storage = [UInt8](repeating: 0xAB, count: bound)
                let count = ByteCursor.write(into: &storage, body)
                #expect(count == expected.count && Array(storage[..<count]) == expected, "into \(bound)")
                #expect(storage.count >= count)

                var writer = BinaryWriter()
                writer.write(UInt8(1))
                writer.append(exactly: bound, body)
                #expect(writer.bytes == [1] + expected, "append \(bound)")
            }
        }
    }

    @Test func writingIntoLargeEnoughStorageKeepsIt() {
        let (body, expected) = Self.sample("acme")
        var storage = [UInt8](repeating: 0xAB, count: expected.count + 5)
        #expect(ByteCursor.write(into: &storage, body) == expected.count)
        #expect(storage.count == expected.count + 5)
        #expect(Array(storage[expected.count...]) == [UInt8](repeating: 0xAB, count: 5))
    }
}
