/// Hostile records mixed into generated Kong traffic for the live-processor
/// bad-input test: each is either a dead letter with the reason SPEC
/// section 1 gives it, or a usable record whose noise (escapes, deep unused
/// nesting, 900 KB of padding) must not change what it counts.
///
/// Sized for the embedded broker (SPEC section 6: 5 MiB per partition): the
/// few records above 100 KB are spread over the input partitions, and the
/// dead letters (which carry the original bytes) stay under 3 MB in all.
struct HostileTraffic {
    let setup: PipelineSetup
    let seed: UInt64

    /// `base` with `count` hostile records inserted at seeded positions.
    func mixed(into base: [GeneratedRecord], count: Int) -> [GeneratedRecord] {
        var random = SeededRandom(seed: seed)
        var records = base
        for index in 0..<count {
            let record = hostile(index, &random)
            records.insert(record, at: random.int(in: 0...records.count))
        }
        return records
    }

    private func hostile(_ index: Int, _ random: inout SeededRandom) -> GeneratedRecord {
        let subject = random.pick(setup.customers.flatMap(\.subjects))
        let event = KongEvent(requestId: "hostile-\(seed)-\(index)", startedAt: TrafficGenerator.baseMillis + random.int64(in: 0...TrafficGenerator.spanMillis),
                              subject: subject, route: random.pick(["chat", "users"]), status: 200, ai: nil)
        let json = event.json
        let open = String(json.dropLast())
        func rejected(_ reason: String, _ text: String) -> (GeneratedRecord.Kind, [UInt8]) { (.rejected(reason: reason), Array(text.utf8)) }
        let made: (GeneratedRecord.Kind, [UInt8])
        switch index {
        case 0, 1:
            // Above maxRecordBytes (1 MiB): too_large, original bytes kept in the dead letter.
            made = (.rejected(reason: "too_large"), Array((open + #","pad":""# + String(repeating: "x", count: 1_100_000) + #""}"#).utf8))
        case 2, 3:
            made = (.usage(event), Array((open + #","pad":""# + String(repeating: "y", count: 900_000) + #""}"#).utf8))
        case 4..<10:
            made = rejected("malformed_json", String(repeating: "[", count: 100_000))
        default:
            switch random.int(in: 0...13) {
            case 0: made = rejected("malformed_json", String(json.prefix(random.int(in: 0...json.count - 1))))
            case 1: made = (.rejected(reason: "malformed_json"), Array(open.utf8) + Array(#","x":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8))
            case 2: made = rejected("malformed_json", open + #","x":"\ud800"}"#)
            case 3: made = rejected("malformed_json", open + #","ai":{"proxy":{"usage":{"prompt_tokens":NaN}}}}"#)
            case 4: made = (.rejected(reason: "malformed_json"), [0xEF, 0xBB, 0xBF] + Array(json.utf8))
            case 5: made = rejected("unknown_format", random.pick(["[1,2]", "42", "null", #""kong""#, #"{"hello":"world"}"#]))
            case 6: made = rejected("unknown_format", #"{"specversion":"0.3","id":"x","source":"s","type":"kong.request","subject":"c00-web","data":{}}"#)
            case 7: made = rejected("invalid_time", json.replacingOccurrences(of: #""started_at":\#(event.startedAt)"#, with: random.pick([#""started_at":"yesterday""#, #""started_at":-5"#, #""started_at":1e400"#])))
            case 8: made = rejected("invalid_time", #"{"specversion":"1.0","id":"x\#(index)","source":"s","type":"kong.request","subject":"c00-web","time":"2026-02-30T00:00:00Z","data":{}}"#)
            case 9: made = rejected("invalid_value", open + #","ai":{"proxy":{"usage":{"prompt_tokens":\#(random.pick([#""abc""#, "1e400", "true", "-3", "{}"]))}}}}"#)
            case 10: made = rejected("missing_subject", json.replacingOccurrences(of: #""username":"\#(subject)""#, with: #""username":"""#).replacingOccurrences(of: #""id":"id-\#(subject)""#, with: #""id":42"#))
            case 11: made = rejected("malformed_json", "")
            case 12: made = (.usage(event), Array((open + #","":"","e":"\u00e9\ud83d\ude00\u0000","deep":"# + String(repeating: "[", count: 60) + String(repeating: "]", count: 60) + "}").utf8))
            default: made = (.usage(event), Array(json.utf8))
            }
        }
        return GeneratedRecord(kind: made.0, bytes: made.1, partition: Int32(index < 10 ? index % 6 : random.int(in: 0...5)), key: Array("h\(index)".utf8))
    }
}
