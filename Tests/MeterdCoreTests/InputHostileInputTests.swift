import MeterdCore
import Testing

/// Inputs built to break a parser: every one must give a reject reason, never a crash.
@Suite struct InputHostileInputTests {
    let extractor = InputFixtures.extractor()

    func reason(_ bytes: [UInt8]) -> RejectReason? {
        extractor?.extract(value: bytes, recordTimestampMillis: 0).rejectReason
    }

    @Test func nestingUpToTheLimitIsValid() {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(extractor?.extract(ok).rejectReason == .unknownFormat)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(extractor?.extract(deep).rejectReason == .malformedJSON)
        let hostile = String(repeating: #"{"a":"#, count: 100_000)
        #expect(extractor?.extract(hostile).rejectReason == .malformedJSON)
    }

    @Test func everyTruncationOfARecordIsMalformed() {
        let record = Array(InputFixtures.kong(extra: #""ai":{\#(InputFixtures.aiBlock())},"s":"\u00e9\ud83d\ude00""#).utf8)
        #expect(reason(record) == nil)
        for length in 0..<record.count {
            #expect(reason(Array(record[..<length])) == .malformedJSON, "prefix of \(length) bytes")
        }
    }

    @Test(arguments: [
        [0xC3], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xE2, 0x82], [0xFF], [0x01], [0x7F - 0x60],
    ] as [[UInt8]])
    func invalidUTF8OrControlBytesInStringsAreMalformed(inner: [UInt8]) {
        let bytes = Array(#"{"request":{},"started_at":1,"x":""#.utf8) + inner + Array(#""}"#.utf8)
        #expect(reason(bytes) == .malformedJSON)
    }

    @Test func validMultibyteUTF8IsAccepted() {
        let bytes = Array(#"{"x":"é€😀","#.utf8)
        #expect(reason(bytes + Array(#""request":{},"started_at":1}"#.utf8)) == .missingSubject)
    }

    @Test(arguments: [#""\x""#, #""\u12""#, #""\uZZZZ""#, #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\""#])
    func badEscapesAreMalformed(string: String) {
        #expect(extractor?.extract(#"{"request":{},"started_at":1,"x":\#(string)}"#).rejectReason == .malformedJSON)
    }

    @Test(arguments: ["NaN", "Infinity", "-Infinity", "01", "1.", ".5", "-", "+1", "1e", "1e+", "0x1", "tru", "nul", "falsey"])
    func badNumbersAndLiteralsAreMalformed(token: String) {
        #expect(extractor?.extract(#"{"request":{},"started_at":1,"x":\#(token)}"#).rejectReason == .malformedJSON)
    }

    @Test(arguments: [#"{"a" 1}"#, #"{"a":1,}"#, "[1,]", #"{a:1}"#, "{'a':1}", #"{"a":1}}"#, "[1 2]", #"{"a":1"b":2}"#])
    func structuralErrorsAreMalformed(text: String) {
        #expect(extractor?.extract(text).rejectReason == .malformedJSON)
    }

    @Test func whitespaceAroundTokensIsAllowed() {
        let spaced = " {\n\t\"request\" : { } ,\r\n \"started_at\" : 5 , \"consumer\" : { \"id\" : \"c\" } } \n"
        #expect(extractor?.extract(spaced).usage?.eventTimeMillis == 5)
    }

    @Test func seededMutationsNeverCrash() {
        var random = SeededGenerator(seed: 0x5EED)
        let base = Array(InputFixtures.kong(extra: #""ai":{\#(InputFixtures.aiBlock())}"#).utf8)
        var outcomes = Set<RejectReason?>()
        for _ in 0..<3_000 {
            var bytes = base
            for _ in 0..<Int(random.next() % 4 + 1) {
                let position = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: random.next())
                case 1: bytes.remove(at: position)
                default: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
                }
            }
            outcomes.insert(reason(bytes))
        }
        #expect(outcomes.contains(.malformedJSON))
        #expect(outcomes.count >= 3)
    }
}
