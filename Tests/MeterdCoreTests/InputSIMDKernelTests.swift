import CMeterdSIMD
import Testing

/// The C byte-class kernels (`Sources/CMeterdSIMD`) against their byte-wise
/// definition, at every start and length around the 16-byte blocks.
@Suite struct InputSIMDKernelTests {
    static let alphabet: [UInt8] = [0x22, 0x5C, 0x00, 0x1F, 0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7B, 0x7D, 0x7F, 0x80, 0xC3, 0xFF, 0x41]

    static func isAttention(_ b: UInt8) -> Bool { b == 0x22 || b == 0x5C || b < 0x20 || b >= 0x80 }

    @Test func plainStringSpanStopsAtTheFirstSpecialByte() {
        var random = SeededGenerator(seed: 16)
        for _ in 0..<3_000 {
            let length = Int(random.next() % 50)
            // Mostly plain letters, so that runs cross one or more blocks.
            let density = 1 + random.next() % 40
            let bytes = (0..<length).map { _ in
                random.next() % density == 0 ? Self.alphabet[Int(random.next() % UInt64(Self.alphabet.count))] : UInt8(0x41 + random.next() % 26)
            }
            bytes.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                for start in 0...length {
                    let expected = bytes[start...].firstIndex(where: Self.isAttention).map { $0 - start } ?? length - start
                    #expect(meterd_plain_string_span(base + start, length - start) == expected, "\(bytes) from \(start)")
                }
            }
        }
    }

    @Test func plainStringSpanFindsEachSpecialByteAtEveryOffset() {
        for special in Self.alphabet where Self.isAttention(special) {
            for offset in 0..<40 {
                for tail in 0..<18 {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: offset + 1 + tail)
                    bytes[offset] = special
                    let span = bytes.withUnsafeBufferPointer { meterd_plain_string_span($0.baseAddress, $0.count) }
                    #expect(span == offset, "byte \(special) at \(offset), \(tail) after")
                }
            }
            let plain = [UInt8](repeating: UInt8(ascii: "z"), count: 37)
            for length in 0...plain.count {
                let span = plain.withUnsafeBufferPointer { meterd_plain_string_span($0.baseAddress, length) }
                #expect(span == length)
            }
        }
    }

    @Test func attentionMaskFlagsExactlyTheSpecialBytesOfABlock() {
        var random = SeededGenerator(seed: 17)
        for _ in 0..<20_000 {
            let bytes = (0..<16).map { _ in
                random.next() % 4 == 0 ? Self.alphabet[Int(random.next() % UInt64(Self.alphabet.count))] : UInt8(truncatingIfNeeded: random.next())
            }
            let mask = bytes.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { meterd_string_attention16($0) } }
            let expected = (0..<16).reduce(UInt32(0)) { Self.isAttention(bytes[$1]) ? $0 | 1 << UInt32($1) : $0 }
            #expect(mask == expected, "\(bytes)")
        }
    }
}
