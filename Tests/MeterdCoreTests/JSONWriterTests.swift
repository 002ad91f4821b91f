@testable import MeterdCore
import Testing

/// `JSONWriter` writes into raw memory of its own; these check its bytes
/// against the `String`-based formats for values at every edge.
@Suite("JSONWriter: raw-memory output equals the String formats")
struct JSONWriterTests {
    private func written(_ body: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter(capacity: 1)
        body(&writer)
        return String(decoding: writer.finish(), as: UTF8.self)
    }

    @Test func integersAtEveryLength() {
        var values: [Int64] = [0, -1, 1, 9, 10, -10, 99, 100, Int64.max, Int64.min, Int64.min + 1]
        var power: Int64 = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 1, -power, -(power - 1)]
        }
        for value in values {
            #expect(written { $0.integer(value) } == String(value))
        }
    }

    @Test func numbersAsJSONNumberFormat() {
        let values: [Double] = [0, -0.0, 1, -1, 1.5, 0.1, 1e-5, 123_456_789.25, 1e15, 1e15 - 1, -1e15 + 1, 1e300, -2.5e-300, 4_503_599_627_370_496]
        for value in values {
            #expect(written { $0.number(value) } == JSONNumberFormat.string(value))
        }
    }

    @Test func timestampsAsRFC3339() {
        let limit = QuotaCalendar.limitMillis
        let values: [Int64] = [
            0, -1, 1, 999, 1_000, 1_709_251_199_000, 1_706_749_200_050, -62_135_596_800_000, -62_167_219_200_001,
            253_402_300_799_999, 253_402_300_800_000, limit, -limit, Int64.max, Int64.min, -30_610_224_000_000,
        ]
        for value in values {
            let reference = RFC3339.string(epochMillis: value)
            #expect(written { $0.timestamp(value) } == "\"\(reference)\"")
        }
    }

    /// Expected strings computed outside meterd (Python, days-to-civil).
    @Test func timestampsAtTheEdgesOfTheCalendar() {
        let expected: [(Int64, String)] = [
            (-62_167_219_200_001, "-0001-12-31T23:59:59.999Z"),
            (9_000_000_000_000_000, "287168-08-24T16:00:00Z"),
            (-9_000_000_000_000_000, "-283229-05-10T08:00:00Z"),
            (253_402_300_800_000, "10000-01-01T00:00:00Z"),
            (-30_610_224_000_000, "1000-01-01T00:00:00Z"),
        ]
        for (millis, text) in expected {
            #expect(written { $0.timestamp(millis) } == "\"\(text)\"")
        }
    }

    @Test func growsPastItsInitialCapacityAndEscapes() {
        let long = String(repeating: "ab\"c\\\n\u{01}é", count: 200)
        let text = written { writer in
            writer.beginObject()
            writer.key(literal: "k")
            writer.string(long)
            writer.key("x\"y")
            writer.beginArray()
            writer.bool(true)
            writer.bool(false)
            writer.hexString(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210)
            writer.endArray()
            writer.endObject()
        }
        let escaped = String(repeating: "ab\\\"c\\\\\\n\\u0001é", count: 200)
        #expect(text == "{\"k\":\"\(escaped)\",\"x\\\"y\":[true,false,\"0123456789abcdeffedcba9876543210\"]}")
    }
}
