import MeterdCore
import Testing

@Suite struct InputFormatDetectionTests {
    let extractor = InputFixtures.extractor()

    @Test(arguments: ["[]", "1", #""kong""#, "null", "true", "{}", #"{"request":{}}"#, #"{"started_at":1}"#,
                      #"{"request":"x","started_at":1}"#])
    func otherJSONIsUnknownFormat(json: String) {
        #expect(extractor?.extract(json).rejectReason == .unknownFormat)
    }

    @Test(arguments: ["", " ", "{", "nope", "{\"a\":1}x", "\u{FEFF}{}", "{\"request\":{},\"started_at\":NaN}"])
    func nonJSONIsMalformed(text: String) {
        #expect(extractor?.extract(text).rejectReason == .malformedJSON)
    }

    @Test func tooLargeIsRejectedBeforeParsing() {
        let small = InputFixtures.extractor(maxRecordBytes: 10)
        #expect(small?.extract("{not even json}").rejectReason == .tooLarge)
        #expect(small?.extract("[1,2,3,4]").rejectReason == .unknownFormat)
    }
}
