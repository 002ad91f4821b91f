import MeterdCore

/// One record of the hostile-input fuzz run and what the extractor must
/// make of it, worked out here from how the record was built (no meterd code).
struct HostileRecord {
    enum Expectation {
        case usage(UsageRecord)
        case rejected(RejectReason)
        /// Either outcome is a defensible reading (e.g. duplicate keys).
        case oneOf(usages: [UsageRecord], reasons: Set<RejectReason>)
        /// Random bytes or mutations: any usage or reason, as long as there is one.
        case anything
    }

    let kind: String
    var bytes: [UInt8]
    var headers: [RecordHeader] = []
    var timestamp: Int64 = 1_700_000_000_000
    let expected: Expectation
}

/// A seeded generator of hostile records (and valid ones) for the
/// `InputFixtures.extractor()` configuration: meters `api_requests` (COUNT,
/// groupBy route and status) and `llm_prompt_tokens` (SUM of
/// `$.ai.proxy.usage.prompt_tokens`, groupBy model and provider),
/// unknown subjects passed through, 1 MiB record limit.
struct HostileRecordGenerator {
    static let maxRecordBytes = 1 << 20
    private var random: SeededGenerator
    var serial = 0
    /// Big buffers built once and shared (copy-on-write) by many records.
    private let deepArrays = Array(repeating: UInt8(ascii: "["), count: 100_000)
    private let deepObjects = Array(String(repeating: #"{"a":"#, count: 100_000).utf8)
    private let tenMegabytes: [UInt8]
    private let justTooLarge: [UInt8]
    private let atLimit: (bytes: [UInt8], usage: UsageRecord)

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
        let base = Self.kong(subject: "big", id: "big-1", time: "1700000000000", route: "chat", status: "200", tokens: "7")
        tenMegabytes = Array(base.json.utf8.dropLast()) + Array(#","pad":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 10 << 20) + Array(#""}"#.utf8)
        justTooLarge = Self.padded(base.json, to: Self.maxRecordBytes + 1)
        atLimit = (Self.padded(base.json, to: Self.maxRecordBytes), base.usage)
    }

    /// A valid Kong record and the usage it must decode to.
    struct Kong {
        var json: String
        var usage: UsageRecord
    }

    static func kong(subject: String, id: String, time: String, route: String, status: String, tokens: String?,
                     model: String = "gpt-4o", extraMembers: String = "") -> Kong {
        var json = #"{"request":{"id":"\#(id)","method":"POST","size":120},"started_at":\#(time),"#
        json += #""consumer":{"id":"id-\#(subject)","username":"\#(subject)"},"route":{"name":"\#(route)"},"response":{"status":\#(status)}"#
        if let tokens {
            json += #","ai":{"proxy":{"usage":{"prompt_tokens":\#(tokens),"completion_tokens":3},"meta":{"provider_name":"openai","response_model":"\#(model)"}}}"#
        }
        json += extraMembers + "}"
        var samples = [MeterSample(meterIndex: 0, value: .none, dimensions: [route, status])]
        if let tokens, tokens != "null", let value = Double(tokens) {
            samples.append(MeterSample(meterIndex: 1, value: .number(value), dimensions: [model, "openai"]))
        }
        let millis = Double(time).flatMap { Int64(exactly: $0.rounded(.down)) } ?? -1
        return Kong(json: json, usage: UsageRecord(customer: subject, subject: subject, source: "kong", id: id, eventTimeMillis: millis, samples: samples))
    }

    /// `json` (an object) with a padding string member making it exactly `size` bytes.
    static func padded(_ json: String, to size: Int) -> [UInt8] {
        let head = Array(json.utf8.dropLast()) + Array(#","pad":""#.utf8)
        return head + Array(repeating: UInt8(ascii: "y"), count: size - head.count - 2) + Array(#""}"#.utf8)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func pick<T>(_ options: [T]) -> T { options[int(0...options.count - 1)] }

    /// A fresh valid Kong record with seeded fields.
    mutating func validKong(extraMembers: String = "", tokens: String? = nil) -> Kong {
        serial += 1
        let time = String(1_600_000_000_000 + Int64(int(0...400_000_000)) * 1_000)
        let status = pick(["200", "201", "404", "500"])
        let tokenText = tokens ?? (int(0...2) == 0 ? nil : String(int(0...5_000)))
        return Self.kong(subject: "team-\(int(1...40))", id: "req-\(serial)", time: time, route: pick(["chat", "embed", "users"]),
                         status: status, tokens: tokenText, model: pick(["gpt-4o", "claude", "ü-模型"]), extraMembers: extraMembers)
    }

    static let kinds = [
        "valid", "validNoisy", "cloudEvent", "binaryMode", "binaryEmptyData", "truncated", "deepNesting", "tooLarge", "atLimit",
        "startedAtWrongType", "startedAtOutOfRange", "requestWrongType", "consumerWrongType", "tokensWrongType", "tokensLiteral",
        "nonFiniteLiteral", "invalidUTF8", "loneSurrogate", "controlCharacter", "byteOrderMark", "duplicateKeys", "notAnObject",
        "cloudEventBadSpecversion", "cloudEventBadTime", "cloudEventMissingAttributes", "binaryHeaderGarbage", "randomBytes", "mutation",
    ]

    /// Kinds of 100 KB–10 MB records: drawn a tenth as often, to keep the run short.
    static let heavyKinds: Set<String> = ["deepNesting", "tooLarge", "atLimit"]

    mutating func next() -> HostileRecord {
        var kind = pick(Self.kinds)
        while Self.heavyKinds.contains(kind), int(0...9) != 0 { kind = pick(Self.kinds) }
        return make(kind)
    }

    private mutating func make(_ kind: String) -> HostileRecord {
        switch kind {
        case "valid":
            let record = validKong()
            return HostileRecord(kind: kind, bytes: Array(record.json.utf8), expected: .usage(record.usage))
        case "validNoisy":
            let depth = int(1...60)
            let noise = #","":"","e":"\u0000\ud83d\ude00\"\\\/\t","nest":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
                + #","n":[1.5e-300,-0,0.0,123456789012345678901234567890,true,false,null,{}]"#
            let record = validKong(extraMembers: noise)
            return HostileRecord(kind: kind, bytes: Array(" \n\t\(record.json)\r\n ".utf8), expected: .usage(record.usage))
        case "cloudEvent", "binaryMode", "binaryEmptyData":
            return cloudEvent(kind)
        case "truncated":
            let bytes = Array(validKong().json.utf8)
            return HostileRecord(kind: kind, bytes: Array(bytes.prefix(int(0...bytes.count - 1))), expected: .rejected(.malformedJSON))
        case "deepNesting":
            let base = int(0...1) == 0 ? deepArrays : deepObjects
            return HostileRecord(kind: kind, bytes: int(0...1) == 0 ? base : Array(#"{"request":{},"started_at":1,"x":"#.utf8) + base, expected: .rejected(.malformedJSON))
        case "tooLarge":
            return HostileRecord(kind: kind, bytes: int(0...3) == 0 ? tenMegabytes : justTooLarge, expected: .rejected(.tooLarge))
        case "atLimit":
            return HostileRecord(kind: kind, bytes: atLimit.bytes, expected: .usage(atLimit.usage))
        default:
            return malformedField(kind)
        }
    }
}
