import Testing
import MeterdCore

@Suite struct OutputEncodingTests {
    let encoder = CloudEventEncoder(appId: "meterd")

    func rollup(revision: Int = 2, breakdown: [RollupRevision.Dimension] = [.init(name: "model", value: "gpt-4o")]) -> RollupRevision {
        RollupRevision(
            customer: "acme", feature: "gpt4o_input_tokens", meter: "llm_prompt_tokens", aggregation: .sum,
            windowStartMillis: 1_706_745_600_000, windowEndMillis: 1_706_745_660_000, value: 1234.5, eventCount: 3,
            breakdown: breakdown, revision: revision, subjects: ["acme-mobile", "acme-web"]
        )
    }

    let quota = QuotaEvent(
        kind: .threshold, customer: "acme", feature: "successful_requests",
        periodStartMillis: 1_706_745_600_000, periodEndMillis: 1_706_832_000_000,
        limit: 1000, usage: 800, threshold: 80, hard: true, eventTimeMillis: 1_706_749_200_123
    )

    @Test func rollupRecordIsByteExact() {
        let record = encoder.encode(rollup())
        #expect(String(decoding: record.key, as: UTF8.self) == "acme/gpt4o_input_tokens/1706745600000/model=gpt-4o")
        let expected = #"{"data":{"aggregation":"SUM","breakdown":{"model":"gpt-4o"},"customer":"acme","eventCount":3,"#
            + #""feature":"gpt4o_input_tokens","meter":"llm_prompt_tokens","revision":2,"subjects":["acme-mobile","acme-web"],"#
            + #""value":1234.5,"windowEnd":"2024-02-01T00:01:00Z","windowStart":"2024-02-01T00:00:00Z"},"#
            + #""datacontenttype":"application/json","id":"6f6269d609ca27200d9a95865945a444","source":"meterd/meterd","#
            + #""specversion":"1.0","subject":"acme","time":"2024-02-01T00:01:00Z","type":"meter.rollup"}"#
        #expect(String(decoding: record.value, as: UTF8.self) == expected)
    }

    @Test func quotaRecordIsByteExact() {
        let record = encoder.encode(quota)
        #expect(record.key == Array("acme".utf8))
        let expected = #"{"data":{"customer":"acme","feature":"successful_requests","hard":true,"limit":1000,"#
            + #""periodEnd":"2024-02-02T00:00:00Z","periodStart":"2024-02-01T00:00:00Z","threshold":80,"usage":800},"#
            + #""datacontenttype":"application/json","id":"68720692f248fbb5a6b15bd55a02c1f2","source":"meterd/meterd","#
            + #""specversion":"1.0","subject":"acme","time":"2024-02-01T01:00:00.123Z","type":"quota.threshold"}"#
        #expect(String(decoding: record.value, as: UTF8.self) == expected)
    }

    @Test func rollupKeyEscapesAndSortsAndSkipsAbsent() {
        var value = rollup(breakdown: [.init(name: "z=1", value: "a/b%c"), .init(name: "B", value: "x")])
        value.customer = "team/a=b%"
        value.windowStartMillis = -60_000
        #expect(value.key == "team%2Fa%3Db%25/gpt4o_input_tokens/-60000/B=x/z%3D1=a%2Fb%25c")
        #expect(rollup(breakdown: []).key == "acme/gpt4o_input_tokens/1706745600000")
        #expect(RollupKeyEncoding.escape("ü/✓") == "ü%2F✓")
    }

    @Test func idsAreDeterministicAndDistinguishRevisionsAndThresholds() {
        #expect(CloudEventEncoder.eventId(of: rollup()) == CloudEventEncoder.eventId(of: rollup()))
        #expect(CloudEventEncoder.eventId(of: rollup(revision: 1)) != CloudEventEncoder.eventId(of: rollup(revision: 2)))
        var other = quota
        other.usage = 999
        other.eventTimeMillis = 0
        #expect(CloudEventEncoder.eventId(of: other) == CloudEventEncoder.eventId(of: quota), "id = (customer, feature, periodStart, threshold)")
        other.threshold = 100
        #expect(CloudEventEncoder.eventId(of: other) != CloudEventEncoder.eventId(of: quota))
        // Field boundaries are length-prefixed: "ab"+"c" differs from "a"+"bc".
        var a = rollup(), b = rollup()
        a.customer = "ab"; a.feature = "c"
        b.customer = "a"; b.feature = "bc"
        #expect(CloudEventEncoder.eventId(of: a) != CloudEventEncoder.eventId(of: b))
    }

    @Test func fnv1a128MatchesPublishedVectors() {
        #expect(StableHash.hex(StableHash.fnv1a128([])) == "6c62272e07bb014262b821756295c58d")
        #expect(StableHash.hex(StableHash.fnv1a128(Array("a".utf8))) == "d228cb696f1a8caf78912b704e4a8964")
    }

    @Test func jsonStringsAreEscapedForAnyInput() {
        var value = rollup(breakdown: [.init(name: "q\"\\", value: "line\nbreak\t\u{01}\u{1F}é😀")])
        value.subjects = ["\r\u{08}\u{0C}"]
        let json = String(decoding: encoder.encode(value).value, as: UTF8.self)
        #expect(json.contains(#""breakdown":{"q\"\\":"line\nbreak\t\u0001\u001fé😀"}"#))
        #expect(json.contains(#""subjects":["\r\b\f"]"#))
    }

    @Test func numberFormatIsFixed() {
        #expect(JSONNumberFormat.string(200) == "200")
        #expect(JSONNumberFormat.string(-0.0) == "0")
        #expect(JSONNumberFormat.string(1.5) == "1.5")
        #expect(JSONNumberFormat.string(0.1 + 0.2) == "0.30000000000000004")
        #expect(JSONNumberFormat.string(-42) == "-42")
        #expect(JSONNumberFormat.string(123_456_789_012_345) == "123456789012345")
        #expect(JSONNumberFormat.string(1e20) == "1e+20")
        #expect(JSONNumberFormat.string(0.00001) == "1e-05")
        #expect(JSONNumberFormat.string(.nan) == "null")
    }

    @Test func rfc3339TimesAreUTCWithMillisecondsOnlyWhenNonZero() {
        #expect(RFC3339.string(epochMillis: 0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.string(epochMillis: 1_709_164_799_999) == "2024-02-28T23:59:59.999Z")
        #expect(RFC3339.string(epochMillis: 1_709_251_199_000) == "2024-02-29T23:59:59Z")
        #expect(RFC3339.string(epochMillis: -1) == "1969-12-31T23:59:59.999Z")
        #expect(RFC3339.string(epochMillis: 1_706_749_200_050) == "2024-02-01T01:00:00.050Z")
    }

    @Test func encodingIsDeterministic() {
        #expect(encoder.encode(rollup()) == encoder.encode(rollup()))
        #expect(encoder.encode(quota) == CloudEventEncoder(appId: "meterd").encode(quota))
        #expect(encoder.encode(quota).value != CloudEventEncoder(appId: "other").encode(quota).value)
    }
}
