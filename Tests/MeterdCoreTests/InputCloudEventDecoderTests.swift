import MeterdCore
import Testing

@Suite struct InputCloudEventDecoderTests {
    static let tokens = MeterDefinition(
        slug: "tokens", eventType: "llm.tokens", aggregation: .sum,
        valueProperty: "$.tokens", groupBy: ["model": "$.model"]
    )
    let extractor = InputFixtures.extractor(meters: [InputFixtures.apiRequests, Self.tokens])

    static func event(_ attributes: String = #""id":"e-1","source":"svc","type":"llm.tokens","subject":"acme-web""#,
                      time: String? = #""2024-05-01T12:00:00.250+02:00""#,
                      data: String = #"{"tokens":12,"model":"gpt-4o"}"#) -> String {
        let timeMember = time.map { #","time":\#($0)"# } ?? ""
        return #"{"specversion":"1.0",\#(attributes)\#(timeMember),"data":\#(data)}"#
    }

    @Test func structuredEventReadsSelectorsUnderData() throws {
        let record = try #require(extractor?.extract(Self.event()).usage)
        #expect(record.id == "e-1")
        #expect(record.source == "svc")
        #expect(record.subject == "acme-web")
        #expect(record.eventTimeMillis == 1_714_557_600_250)
        #expect(record.samples == [MeterSample(meterIndex: 1, value: .number(12), dimensions: ["gpt-4o"])])
    }

    @Test func specversionMayComeAfterData() throws {
        let json = #"{"data":{"tokens":1},"subject":"s","id":"x","type":"llm.tokens","source":"q","specversion":"1.0"}"#
        #expect(extractor?.extract(json).usage?.samples.first?.value == .number(1))
    }

    @Test func missingTimeTakesRecordTimestamp() {
        #expect(extractor?.extract(Self.event(time: nil), timestamp: 99).usage?.eventTimeMillis == 99)
        #expect(extractor?.extract(Self.event(time: "null"), timestamp: 98).usage?.eventTimeMillis == 98)
    }

    @Test(arguments: [#""yesterday""#, "1700000000", #""2024-02-30T00:00:00Z""#, #""2024-05-01 12:00:00Z""#])
    func invalidTimeIsRejected(time: String) {
        #expect(extractor?.extract(Self.event(time: time)).rejectReason == .invalidTime)
    }

    @Test func missingSubjectIsRejected() {
        let noSubject = #""id":"e-1","source":"svc","type":"llm.tokens""#
        #expect(extractor?.extract(Self.event(noSubject)).rejectReason == .missingSubject)
        let emptySubject = #""id":"e-1","source":"svc","type":"llm.tokens","subject":"""#
        #expect(extractor?.extract(Self.event(emptySubject)).rejectReason == .missingSubject)
    }

    @Test(arguments: [
        #""source":"svc","type":"t","subject":"s""#,
        #""id":"e","type":"t","subject":"s""#,
        #""id":"e","source":"svc","subject":"s""#,
        #""id":1,"source":"svc","type":"t","subject":"s""#,
    ])
    func missingRequiredAttributeIsUnknownFormat(attributes: String) {
        #expect(extractor?.extract(Self.event(attributes)).rejectReason == .unknownFormat)
    }

    @Test func otherSpecversionIsUnknownFormat() {
        let json = Self.event().replacing(#""specversion":"1.0""#, with: #""specversion":"0.3""#)
        #expect(extractor?.extract(json).rejectReason == .unknownFormat)
    }

    @Test func eventTypeSelectsMeters() {
        let kongTyped = #""id":"e-1","source":"svc","type":"kong.request","subject":"acme-web""#
        let record = extractor?.extract(Self.event(kongTyped, data: #"{"route":{"name":"x"}}"#)).usage
        #expect(record?.samples == [MeterSample(meterIndex: 0, value: .none, dimensions: ["x", nil])])
        let unknownType = #""id":"e-1","source":"svc","type":"other","subject":"acme-web""#
        #expect(extractor?.extract(Self.event(unknownType)).usage?.samples == [])
    }

    @Test func binaryModeReadsHeadersAndValueAsData() throws {
        let headers = [
            RecordHeader(key: "ce_specversion", string: "1.0"),
            RecordHeader(key: "ce_id", string: "b-1"),
            RecordHeader(key: "ce_source", string: "svc"),
            RecordHeader(key: "ce_type", string: "llm.tokens"),
            RecordHeader(key: "ce_subject", string: "acme-mobile"),
            RecordHeader(key: "ce_time", string: "2024-05-01T10:00:00Z"),
        ]
        let record = try #require(extractor?.extract(#"{"tokens":"5","model":"m"}"#, headers: headers).usage)
        #expect(record.id == "b-1")
        #expect(record.subject == "acme-mobile")
        #expect(record.eventTimeMillis == 1_714_557_600_000)
        #expect(record.samples == [MeterSample(meterIndex: 1, value: .number(5), dimensions: ["m"])])
        // No time header: the record timestamp; empty value: no data, so no token sample.
        let untimed = Array(headers.dropLast())
        #expect(extractor?.extract("", headers: untimed, timestamp: 7).usage?.eventTimeMillis == 7)
        #expect(extractor?.extract("", headers: untimed).usage?.samples == [])
        #expect(extractor?.extract("{", headers: untimed).rejectReason == .malformedJSON)
        #expect(extractor?.extract("{}", headers: Array(untimed.dropLast())).rejectReason == .missingSubject)
        #expect(extractor?.extract("{}", headers: untimed + [RecordHeader(key: "ce_time", string: "x")]).rejectReason == .invalidTime)
        #expect(extractor?.extract("[1]", headers: [RecordHeader(key: "ce_specversion", string: "1.0")]).rejectReason == .unknownFormat)
    }
}
