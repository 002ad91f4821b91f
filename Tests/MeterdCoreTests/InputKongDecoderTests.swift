import Foundation
import MeterdCore
import Testing

@Suite struct InputKongDecoderTests {
    let extractor = InputFixtures.extractor()

    @Test func decodesEnvelopeAndCountMeter() throws {
        let record = try #require(extractor?.extract(InputFixtures.kong()).usage)
        #expect(record.id == "req-1")
        #expect(record.source == "kong")
        #expect(record.subject == "acme-web")
        #expect(record.customer == "acme-web")
        #expect(record.eventTimeMillis == 1_700_000_000_123)
        #expect(record.samples == [MeterSample(meterIndex: 0, value: .none, dimensions: ["chat", "200"])])
    }

    @Test func subjectFallsBackToCustomIDThenID() {
        let customID = extractor?.extract(InputFixtures.kong(consumer: #"{"id":"c-1","custom_id":"cust-9"}"#))
        #expect(customID?.usage?.subject == "cust-9")
        let idOnly = extractor?.extract(InputFixtures.kong(consumer: #"{"id":"c-1","username":""}"#))
        #expect(idOnly?.usage?.subject == "c-1")
        let nonString = extractor?.extract(InputFixtures.kong(consumer: #"{"id":"c-1","username":7}"#))
        #expect(nonString?.usage?.subject == "c-1")
    }

    @Test func missingConsumerIsMissingSubject() {
        #expect(extractor?.extract(InputFixtures.kong(consumer: "null")).rejectReason == .missingSubject)
        #expect(extractor?.extract(InputFixtures.kong(consumer: "{}")).rejectReason == .missingSubject)
    }

    @Test(arguments: [#""1700000000000""#, "null", "true", "-1", "1e300", "{}"])
    func nonNumericOrOutOfRangeStartedAtIsInvalidTime(startedAt: String) {
        #expect(extractor?.extract(InputFixtures.kong(startedAt: startedAt)).rejectReason == .invalidTime)
    }

    @Test func fractionalStartedAtIsFloored() {
        #expect(extractor?.extract(InputFixtures.kong(startedAt: "1700000000123.9")).usage?.eventTimeMillis == 1_700_000_000_123)
    }

    @Test func missingRequestIDFallsBackToContentHash() throws {
        let json = InputFixtures.kong().replacingOccurrences(of: #""id":"req-1","#, with: "")
        let first = try #require(extractor?.extract(json).usage)
        let again = try #require(extractor?.extract(json).usage)
        let other = try #require(extractor?.extract(json.replacingOccurrences(of: "POST", with: "GET")).usage)
        #expect(first.id.hasPrefix("fnv1a64-"))
        #expect(first.id.count == 24)
        #expect(first.id == again.id)
        #expect(first.id != other.id)
        #expect(extractor?.extract(InputFixtures.kong(requestID: "12")).usage?.id == "12")
    }

    @Test func aiProxyBlockFeedsTokenMeter() throws {
        let record = try #require(extractor?.extract(InputFixtures.kong(extra: #""ai":{\#(InputFixtures.aiBlock())}"#)).usage)
        #expect(record.samples.count == 2)
        #expect(record.samples[1] == MeterSample(meterIndex: 1, value: .number(10), dimensions: ["gpt-4o", "openai"]))
    }

    @Test func legacyAIProxyBlockIsReadWhenProxyIsAbsent() throws {
        let legacy = InputFixtures.aiBlock(key: "ai-proxy", promptTokens: "7")
        let record = try #require(extractor?.extract(InputFixtures.kong(extra: #""ai":{\#(legacy)}"#)).usage)
        #expect(record.samples.last == MeterSample(meterIndex: 1, value: .number(7), dimensions: ["gpt-4o", "openai"]))
    }

    @Test func proxyBlockWinsOverLegacyBlock() throws {
        let both = InputFixtures.aiBlock(key: "ai-proxy", promptTokens: "7") + "," + InputFixtures.aiBlock(promptTokens: "3")
        let record = try #require(extractor?.extract(InputFixtures.kong(extra: #""ai":{\#(both)}"#)).usage)
        #expect(record.samples.last?.value == .number(3))
        // ai.proxy present but without usage: the legacy block is not consulted.
        let partial = #""ai":{"proxy":{"meta":{}},\#(InputFixtures.aiBlock(key: "ai-proxy"))}"#
        #expect(extractor?.extract(InputFixtures.kong(extra: partial)).usage?.samples.count == 1)
    }

    @Test func restCallWithoutTokensStillCountsRequests() throws {
        let record = try #require(extractor?.extract(InputFixtures.kong()).usage)
        #expect(record.samples.map(\.meterIndex) == [0])
    }
}
