import MeterdCore

extension HostileRecordGenerator {
    /// Records with one used field broken (wrong type, out of range, bad
    /// bytes), and CloudEvents with bad attributes.
    mutating func malformedField(_ kind: String) -> HostileRecord {
        let id = "req-x\(serial)"
        serial += 1
        func kongText(time: String = "1700000000000", tokens: String? = nil, extra: String = "") -> String {
            Self.kong(subject: "s", id: id, time: time, route: "chat", status: "200", tokens: tokens, extraMembers: extra).json
        }
        func record(_ text: String, _ expected: HostileRecord.Expectation) -> HostileRecord {
            HostileRecord(kind: kind, bytes: Array(text.utf8), expected: expected)
        }
        switch kind {
        case "startedAtWrongType":
            return record(kongText(time: pick([#""1700000000000""#, "true", "false", "null", "{}", "[]", #""""#, #"{"ms":1}"#])), .rejected(.invalidTime))
        case "startedAtOutOfRange":
            let (time, ok) = pick([("-1", false), ("-1700000000000", false), ("1e400", false), ("-1e400", false), ("253402300800000", false),
                                   ("1e300", false), ("99999999999999999999999", false), ("-0", true), ("0", true), ("253402300799999", true),
                                   ("1700000000000.999", true), ("17e11", true)])
            let kong = Self.kong(subject: "s", id: id, time: time, route: "chat", status: "200", tokens: nil)
            return record(kong.json, ok ? .usage(kong.usage) : .rejected(.invalidTime))
        case "requestWrongType":
            let request = pick([#""GET /""#, "[]", "42", "null", "true"])
            return record(#"{"request":\#(request),"started_at":1700000000000,"consumer":{"username":"s"}}"#, .rejected(.unknownFormat))
        case "consumerWrongType":
            let consumer = pick([#""s""#, "42", "[]", "null", #"{"username":42}"#, #"{"username":{}}"#, #"{"username":"","custom_id":"","id":""}"#,
                                 #"{"username":true,"id":7}"#, #"{}"#])
            return record(#"{"request":{"id":"\#(id)"},"started_at":1700000000000,"consumer":\#(consumer)}"#, .rejected(.missingSubject))
        case "tokensWrongType":
            let tokens = pick([#""abc""#, #""12tokens""#, #"" 12""#, #""+5""#, "true", "{}", "[]", "-1", "-0.5", "1e400", #""1e400""#, #""NaN""#,
                               #""Infinity""#, #""""#, #""0x10""#])
            return record(kongText(tokens: tokens), .rejected(.invalidValue))
        case "tokensLiteral":
            let tokens = pick(["null", "-0", "0", "1e20", "123456789012345678901234567890", "2.5", "1E2", "0.000001"])
            let kong = Self.kong(subject: "s", id: id, time: "1700000000000", route: "chat", status: "200", tokens: tokens)
            var usage = kong.usage
            if tokens != "null", usage.samples.count == 1 { usage.samples.append(MeterSample(meterIndex: 1, value: .number(Double(tokens) ?? .nan), dimensions: ["gpt-4o", "openai"])) }
            return record(kong.json, .usage(usage))
        case "nonFiniteLiteral":
            return record(kongText(tokens: pick(["NaN", "Infinity", "-Infinity", "inf", "1e", "01", ".5", "+1"])), .rejected(.malformedJSON))
        case "invalidUTF8":
            let bad: [[UInt8]] = [[0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF], [0x80], [0xE2, 0x82], [0xF8, 0x88, 0x80, 0x80, 0x80]]
            let text = Array(kongText().utf8)
            let cut = text.count - 1
            let bytes = Array(text[..<cut]) + Array(#","x":""#.utf8) + pick(bad) + Array(#""}"#.utf8)
            return HostileRecord(kind: kind, bytes: bytes, expected: .rejected(.malformedJSON))
        case "loneSurrogate":
            let escape = pick([#"\ud800"#, #"\udc00"#, #"\ud800\u0041"#, #"\udbff\ud800"#, #"\uDFFF"#, #"\ud83d"#])
            return record(kongText(extra: #","x":"a\#(escape)b""#), .rejected(.malformedJSON))
        case "controlCharacter":
            let text = Array(kongText().utf8)
            let bytes = Array(text.dropLast()) + Array(#","x":"a"#.utf8) + [UInt8(int(0...31))] + Array(#"b"}"#.utf8)
            return HostileRecord(kind: kind, bytes: bytes, expected: .rejected(.malformedJSON))
        case "byteOrderMark":
            // RFC 8259 §8.1: a BOM is not JSON; parsers may ignore it, meterd's does not.
            return HostileRecord(kind: kind, bytes: [0xEF, 0xBB, 0xBF] + Array(kongText().utf8), expected: .rejected(.malformedJSON))
        case "duplicateKeys":
            let first = Self.kong(subject: "s", id: id, time: "1700000000000", route: "chat", status: "200", tokens: nil)
            var second = first.usage
            second.eventTimeMillis = 1_700_000_000_999
            return record(kongText(extra: #","started_at":1700000000999"#), .oneOf(usages: [first.usage, second], reasons: []))
        case "notAnObject":
            let text = pick(["[1,2]", #""text""#, "42", "null", "true", "[]", #"[{"request":{},"started_at":1}]"#])
            return record(text, .rejected(.unknownFormat))
        case "cloudEventBadSpecversion":
            let version = pick([#""0.3""#, "1.0", #""""#, #""1.0 ""#, "null", "{}"])
            return record(#"{"specversion":\#(version),"id":"e1","source":"s","type":"kong.request","subject":"a","data":{}}"#, .rejected(.unknownFormat))
        case "cloudEventBadTime":
            let time = pick([#""yesterday""#, #""2024-13-01T00:00:00Z""#, #""2024-02-30T00:00:00Z""#, "12345", "true", #""""#, #""2024-01-01""#,
                             #""2024-01-01T25:00:00Z""#, #""10000-01-01T00:00:00Z""#])
            return record(#"{"specversion":"1.0","id":"e1","source":"s","type":"kong.request","subject":"a","time":\#(time),"data":{}}"#, .rejected(.invalidTime))
        case "cloudEventMissingAttributes":
            if int(0...1) == 0 {
                return record(#"{"specversion":"1.0","id":"e1","source":"s","type":"kong.request","subject":"","data":{}}"#, .rejected(.missingSubject))
            }
            let missing = pick([#""source":"s","type":"t""#, #""id":"e1","type":"t""#, #""id":"e1","source":"s""#, #""id":"","source":"s","type":"t""#])
            return record(#"{"specversion":"1.0",\#(missing),"subject":"a"}"#, .rejected(.unknownFormat))
        case "binaryHeaderGarbage":
            return binaryGarbage()
        case "randomBytes":
            let count = int(0...300)
            return HostileRecord(kind: kind, bytes: (0..<count).map { _ in UInt8(truncatingIfNeeded: int(0...255)) }, expected: .anything)
        default:
            var bytes = Array(validKong().json.utf8)
            for _ in 0..<int(1...6) {
                let position = int(0...bytes.count - 1)
                switch int(0...2) {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: int(0...255))
                case 1: bytes.remove(at: position)
                default: bytes.insert(pick(Array(#"{}[]":,\"0-eE.tfn "#.utf8)), at: position)
                }
            }
            return HostileRecord(kind: "mutation", bytes: bytes, expected: .anything)
        }
    }

    private mutating func binaryGarbage() -> HostileRecord {
        var headers = Self.binaryHeaders(id: "b\(serial)", subject: "s", time: "2024-02-01T00:00:00Z")
        let expected: RejectReason
        switch int(0...4) {
        case 0:
            headers[0].value = [0xFF, 0xFE]
            expected = .unknownFormat
        case 1:
            headers[5].value = pick([Array("garbage".utf8), [0xC3], [], Array("2024-02-01T00:00:00".utf8)])
            expected = .invalidTime
        case 2:
            headers[4].value = pick([[0xC0, 0x80], []])
            expected = .missingSubject
        case 3:
            headers[1].value = []
            expected = .unknownFormat
        default:
            return HostileRecord(kind: "binaryHeaderGarbage", bytes: Array(#"{"route":"#.utf8), headers: headers, expected: .rejected(.malformedJSON))
        }
        return HostileRecord(kind: "binaryHeaderGarbage", bytes: Array("{}".utf8), headers: headers, expected: .rejected(expected))
    }

    static func binaryHeaders(id: String, subject: String, time: String?) -> [RecordHeader] {
        var headers = [
            RecordHeader(key: "ce_specversion", string: "1.0"), RecordHeader(key: "ce_id", string: id),
            RecordHeader(key: "ce_source", string: "gw"), RecordHeader(key: "ce_type", string: "kong.request"),
            RecordHeader(key: "ce_subject", string: subject),
        ]
        if let time { headers.append(RecordHeader(key: "ce_time", string: time)) }
        return headers
    }
}
