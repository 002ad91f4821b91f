import Testing
@testable import MeterdCore

/// The rollup record written in fragments, with `time` copied from
/// `windowEnd`, must be the bytes the field-by-field writer gives (the
/// reference below), and its key SPEC's escaped parts, for any text in any field.
@Suite struct RollupEncodingReferenceTests {
    /// Texts with every escaped key byte (`%`, `/`, `=`), JSON escapes,
    /// non-ASCII, empty, long.
    static let texts = ["", "a", "%%%%", "/=/=", "ü%=/✓", "quote\"back\\slash", "tab\tnl\n\u{1}", String(repeating: "=", count: 300), "plain-customer-0042"]

    private func rollup(_ n: Int, using rng: inout SeededGenerator) -> RollupRevision {
        func text() -> String { Self.texts[Int.random(in: 0..<Self.texts.count, using: &rng)] }
        let names = (0..<Int.random(in: 0...3, using: &rng)).map { "d\($0)" + text() }
        let start: Int64 = [-60_000, 0, 1, 1_706_745_600_000, 253_402_300_000_000][n % 5]
        return RollupRevision(
            customer: text(), feature: text(), meter: text(), aggregation: AggregationKind.allCases[n % AggregationKind.allCases.count],
            windowStartMillis: start, windowEndMillis: start + Int64(n % 3) * 60_000 + 1,
            value: [0, 1234.5, -0.25, 1e300, 7][n % 5], eventCount: Int64(n),
            breakdown: names.sorted(by: CompiledFeature.utf8Less).map { RollupRevision.Dimension(name: $0, value: text()) },
            revision: n % 4 + 1, subjects: (0..<(n % 3)).map { "s\($0)" + text() }
        )
    }

    /// The key as SPEC section 3 spells it, built from escaped strings.
    private func referenceKey(_ rollup: RollupRevision) -> [UInt8] {
        var key = RollupKeyEncoding.escape(rollup.customer) + "/" + RollupKeyEncoding.escape(rollup.feature) + "/" + String(rollup.windowStartMillis)
        for dimension in rollup.breakdown {
            key += "/" + RollupKeyEncoding.escape(dimension.name) + "=" + RollupKeyEncoding.escape(dimension.value)
        }
        return Array(key.utf8)
    }

    /// The record value through `JSONWriter`'s key and value calls, one field at a time.
    private func referenceValue(_ rollup: RollupRevision, appId: String) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key(literal: "data")
        json.beginObject()
        json.key(literal: "aggregation"); json.string(rollup.aggregation.rawValue)
        json.key(literal: "breakdown")
        json.beginObject()
        for dimension in rollup.breakdown { json.key(dimension.name); json.string(dimension.value) }
        json.endObject()
        json.key(literal: "customer"); json.string(rollup.customer)
        json.key(literal: "eventCount"); json.integer(rollup.eventCount)
        json.key(literal: "feature"); json.string(rollup.feature)
        json.key(literal: "meter"); json.string(rollup.meter)
        json.key(literal: "revision"); json.integer(Int64(rollup.revision))
        json.key(literal: "subjects")
        json.beginArray()
        for subject in rollup.subjects { json.string(subject) }
        json.endArray()
        json.key(literal: "value"); json.number(rollup.value)
        json.key(literal: "windowEnd"); json.timestamp(rollup.windowEndMillis)
        json.key(literal: "windowStart"); json.timestamp(rollup.windowStartMillis)
        json.endObject()
        json.key(literal: "datacontenttype"); json.string(literal: "application/json")
        json.key(literal: "id"); json.string(CloudEventEncoder.eventId(of: rollup))
        json.key(literal: "source"); json.string("meterd/" + appId)
        json.key(literal: "specversion"); json.string(literal: "1.0")
        json.key(literal: "subject"); json.string(rollup.customer)
        json.key(literal: "time"); json.timestamp(rollup.windowEndMillis)
        json.key(literal: "type"); json.string(literal: "meter.rollup")
        json.endObject()
        return json.finish()
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func rollupRecordsEqualTheFieldByFieldEncoding(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let encoder = CloudEventEncoder(appId: "bill/ing=%")
        for n in 0..<400 {
            let rollup = rollup(n, using: &rng)
            let record = encoder.encode(rollup)
            #expect(record.key == referenceKey(rollup), "\(rollup)")
            #expect(record.value == referenceValue(rollup, appId: "bill/ing=%"), "\(rollup)")
        }
    }

    @Test("a record whose escaped strings outgrow the size estimate (written in place until then) is whole")
    func outgrownEstimate() {
        let encoder = CloudEventEncoder(appId: "meterd")
        // Control characters are escaped as \u00XX: six bytes for one.
        for count in [0, 10, 60, 70, 200, 1_000] {
            let control = String(repeating: "\u{1}", count: count)
            let rollup = RollupRevision(
                customer: "acme" + control, feature: "f", meter: "m", aggregation: .sum, windowStartMillis: 0, windowEndMillis: 60_000,
                value: 1.5, eventCount: 2, breakdown: [RollupRevision.Dimension(name: "model", value: control)], revision: 1,
                subjects: ["web" + control, control]
            )
            let record = encoder.encode(rollup)
            #expect(record.value == referenceValue(rollup, appId: "meterd"), "\(count) control characters")
            #expect(record.key == referenceKey(rollup))
        }
    }

    @Test("JSON written in lent memory stays there until it outgrows it, then moves whole to the writer's own")
    func lentMemory() {
        var lent = [UInt8](repeating: 0, count: 16)
        lent.withUnsafeMutableBufferPointer { buffer in
            var json = JSONWriter(lending: buffer)
            json.beginArray()
            json.string("0123456789")
            #expect(json.writtenInPlace == 13)
            json.string("abc")
            #expect(json.writtenInPlace == nil)
            json.endArray()
            #expect(String(decoding: json.finish(), as: UTF8.self) == #"["0123456789","abc"]"#)
        }
        #expect(String(decoding: lent.prefix(13), as: UTF8.self) == #"["0123456789""#)
    }

    @Test func aCopiedValueRepeatsItsBytesAndIgnoresARangeNotWritten() {
        var json = JSONWriter(capacity: 1)
        json.beginArray()
        let start = json.position
        json.string("x/\"y\"")
        let range = start..<json.position
        json.value(copying: range)
        json.value(copying: range)
        json.value(copying: 0..<(json.position + 1))
        json.value(copying: -1..<2)
        json.endArray()
        #expect(String(decoding: json.finish(), as: UTF8.self) == #"["x/\"y\"","x/\"y\"","x/\"y\""]"#)
    }
}
