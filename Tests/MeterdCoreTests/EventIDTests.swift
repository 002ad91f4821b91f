import Testing
@testable import MeterdCore

/// `EventID` holds short ids inline and long ones in a `String`; both must
/// behave as the id's text does everywhere the id is used.
@Suite struct EventIDTests {
    static let texts = [
        "", "a", "1234567", "12345678", "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        String(repeating: "x", count: EventID.inlineCapacity),
        String(repeating: "y", count: EventID.inlineCapacity + 1),
        "évènement-ünïcode-id", String(repeating: "é", count: 30),
    ]

    @Test func roundTripsItsText() {
        for text in Self.texts {
            let id = EventID(text)
            #expect(id.description == text)
            #expect(id.count == text.utf8.count)
            #expect(id.isSpilled == (text.utf8.count > EventID.inlineCapacity))
            #expect(id.withUTF8 { Array($0) } == Array(text.utf8))
        }
    }

    @Test func equalityHashAndOrderFollowTheBytes() {
        for a in Self.texts {
            for b in Self.texts {
                let x = EventID(a), y = EventID(b)
                #expect((x == y) == (a == b), "\(a) == \(b)")
                #expect((x < y) == a.utf8.lexicographicallyPrecedes(b.utf8), "\(a) < \(b)")
                if a == b { #expect(x.hashValue == y.hashValue) }
            }
        }
        // Same leading bytes, different lengths: the shorter sorts first.
        #expect(EventID("abc") < EventID("abcd"))
        #expect(EventID("abc") != EventID("abc\0"))
    }

    @Test func readBackBytesAreRepairedAsStringsAre() {
        let invalid: [UInt8] = [0x61, 0xFF, 0x62, 0xC3]
        let id = invalid.withUnsafeBytes { EventID(decoding: $0) }
        #expect(id.description == String(decoding: invalid, as: UTF8.self))
        let ascii = Array("req-42".utf8)
        #expect(ascii.withUnsafeBytes { EventID(decoding: $0) } == EventID("req-42"))
    }

    @Test func replacingInPlaceEqualsDecodingAFreshId() {
        let invalid: [UInt8] = [0x61, 0xFF, 0x62, 0xC3]
        Self.expectReplacingEqualsFresh(
            Self.texts.map { Array($0.utf8) } + [invalid, Array("z".utf8)],
            make: { bytes in bytes.withUnsafeBytes { EventID(decoding: $0) } },
            replace: { id, bytes in bytes.withUnsafeBytes { id.replace(decoding: $0) } }
        )
    }

    @Test func replacingWithValidUTF8InPlaceEqualsAFreshId() {
        // Valid UTF-8 only (what the JSON walk hands over), and the empty id.
        let inputs = Self.texts.map { Array($0.utf8) } + [Array("z".utf8), []]
        Self.expectReplacingEqualsFresh(
            inputs,
            make: { bytes in bytes.withUnsafeBufferPointer { EventID(validUTF8: $0) } },
            replace: { id, bytes in bytes.withUnsafeBufferPointer { id.replace(validUTF8: $0) } }
        )
        for bytes in inputs {
            #expect(bytes.withUnsafeBufferPointer { EventID(validUTF8: $0) }.description == String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Every id replaced by every other (inline by spilled, spilled by inline,
    /// shorter by longer) equals, hashes and reads as a fresh one.
    static func expectReplacingEqualsFresh(
        _ inputs: [[UInt8]], make: ([UInt8]) -> EventID, replace: (inout EventID, [UInt8]) -> Void
    ) {
        for first in inputs {
            for second in inputs {
                var id = make(first)
                replace(&id, second)
                let fresh = make(second)
                #expect(id == fresh && id.description == fresh.description && id.isSpilled == fresh.isSpilled, "\(first) then \(second)")
                #expect(id.hashValue == fresh.hashValue)
            }
        }
    }

    @Test func dedupeFingerprintIsTheTextsWhicheverWayItIsHeld() {
        for text in Self.texts {
            #expect(DedupeFingerprint(source: "kong", id: EventID(text)) == DedupeFingerprint(source: "kong", id: text))
        }
        // The fingerprint of a known id, as persisted in changelogs before ids were held inline.
        #expect(DedupeFingerprint(source: "kong", id: EventID("7c9e6679-7425-40de-944b-e07fc1f90ae7"))
            == DedupeFingerprint(source: "kong", id: "7c9e6679-7425-40de-944b-e07fc1f90ae7"))
    }

    /// Dedupe fingerprints are persisted in state records: ids of every
    /// length from 0 to 48 bytes (inline and spilled, every tail length), and
    /// sources of 0 to 20 bytes, must keep the fingerprints they had when
    /// this test was written. One checksum over all of them.
    @Test func dedupeFingerprintsKeepTheirPersistedValues() {
        let alphabet = Array("0123456789abcdef-ghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP".utf8)
        var checksum: UInt64 = 0xCBF2_9CE4_8422_2325
        for sourceLength in [0, 4, 8, 13, 20] {
            let source = String(decoding: alphabet.reversed().prefix(sourceLength), as: UTF8.self)
            for length in 0...48 {
                let id = EventID(String(decoding: alphabet.prefix(length), as: UTF8.self))
                let fingerprint = DedupeFingerprint(source: source, id: id)
                for word in [fingerprint.low, fingerprint.high] { checksum = (checksum ^ word) &* 0x0000_0100_0000_01B3 }
            }
        }
        #expect(checksum == 4_180_215_979_161_337_126)
    }

    @Test func codecCarriesEveryKindOfId() throws {
        for text in Self.texts {
            let record = UsageRecord(customer: "c", subject: "s", source: "kong", id: text, eventTimeMillis: 5, samples: [])
            let bytes = UsageRecordCodec.encode(record)
            // The layout is unchanged: the id is written as its text always was.
            var expected = BinaryWriter()
            expected.write(text)
            #expect(bytes.count == 1 + 2 + 2 + 5 + expected.bytes.count + 1 + 1)
            let decoded = try UsageRecordCodec.decode(bytes)
            #expect(decoded == record)
            #expect(decoded.id == text)
        }
    }

    @Test func latestBreaksTimeTiesByIdBytes() {
        var accumulator = Accumulator(kind: .latest)
        accumulator.add(.number(1), eventTimeMillis: 10, id: EventID("b"))
        accumulator.add(.number(2), eventTimeMillis: 10, id: EventID("a"))
        #expect(accumulator.latestValue == 1)
        accumulator.add(.number(3), eventTimeMillis: 10, id: EventID(String(repeating: "c", count: 60)))
        #expect(accumulator.latestValue == 3)
        #expect(accumulator.latestId == String(repeating: "c", count: 60))
        // Equal ids: the value breaks the tie.
        accumulator.add(.number(4), eventTimeMillis: 10, id: EventID(String(repeating: "c", count: 60)))
        #expect(accumulator.latestValue == 4)
        accumulator.add(.number(0), eventTimeMillis: 10, id: EventID(String(repeating: "c", count: 60)))
        #expect(accumulator.latestValue == 4)
    }
}
