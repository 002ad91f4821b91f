import Testing
@testable import MeterdCore

@Suite struct BinaryVarintTests {
    @Test func everyLengthOfVarintRoundTripsAndEndsWhereItShould() throws {
        var values: [UInt64] = [0, 1, 0x7F, 0x80, 0x3FFF, 0x4000, UInt64(UInt32.max), UInt64.max - 1, UInt64.max]
        for shift in stride(from: 0, to: 64, by: 7) { values += [UInt64(1) << UInt64(shift), (UInt64(1) << UInt64(shift)) &- 1] }
        var writer = BinaryWriter()
        for value in values { writer.write(varint: value) }
        writer.write(varint: 5)
        var reader = BinaryReader(writer.bytes)
        for value in values { #expect(try reader.readVarint() == value) }
        #expect(try reader.readVarint() == 5)
        let atEnd = reader.isAtEnd
        #expect(atEnd)
    }

    @Test func aVarintCutShortIsTruncatedAndAnElevenByteOneIsMalformed() {
        for bytes: [UInt8] in [[], [0x80], [0xFF, 0xFF], [0x81, 0x80, 0x80]] {
            var reader = BinaryReader(bytes)
            #expect(throws: BinaryDecodingError.truncated(bytes.count)) { _ = try reader.readVarint() }
        }
        var reader = BinaryReader([UInt8](repeating: 0xFF, count: 10) + [0x01])
        #expect {
            _ = try reader.readVarint()
        } throws: { error in
            guard case BinaryDecodingError.malformed(_, let why) = error else { return false }
            return why == "varint too long"
        }
    }

    @Test func aOneByteVarintAtTheVeryEndIsRead() throws {
        var reader = BinaryReader([0x80, 0x01, 0x7F])
        #expect(try reader.readVarint() == 0x80)
        #expect(try reader.readVarint() == 0x7F)
        let atEnd = reader.isAtEnd
        #expect(atEnd)
    }
}
