import MeterdCore

/// Deterministic Kong log-serializer records (~1 KB each) shaped like what
/// Kong 3.x's kafka-log plugin writes: request and response headers,
/// latencies, route, service, consumer, and for `aiShare` of them an
/// `ai.proxy` block with token usage, cost and model metadata.
public struct KongTrafficGenerator {
    private var random: SplitMix64
    private let aiShare: Double
    private var clock: Int64
    private let consumers: [String]

    private static let routes = ["orders", "payments", "search", "chat-completions", "embeddings", "catalog", "users", "checkout"]
    private static let statuses = [200, 200, 200, 200, 200, 201, 204, 400, 401, 404, 429, 500, 502]
    private static let methods = ["GET", "GET", "POST", "PUT", "DELETE"]
    private static let models: [(provider: String, request: String, response: String)] = [
        ("openai", "gpt-4o", "gpt-4o-2024-08-06"),
        ("openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18"),
        ("anthropic", "claude-3-5-sonnet", "claude-3-5-sonnet-20241022"),
        ("mistral", "mistral-large", "mistral-large-2411"),
    ]

    /// - Parameter consumerCount: gateway consumers `team-0` … `team-<n-1>`.
    public init(seed: UInt64, aiShare: Double = 0.4, startMillis: Int64 = 1_735_689_600_000, consumerCount: Int = 50) {
        random = SplitMix64(seed: seed)
        self.aiShare = aiShare
        clock = startMillis
        consumers = (0..<max(1, consumerCount)).map { "team-\($0)" }
    }

    /// The next `count` records' bytes.
    public mutating func records(count: Int) -> [[UInt8]] {
        (0..<count).map { _ in nextRecord() }
    }

    public mutating func nextRecord() -> [UInt8] {
        clock += Int64(random.next(below: 20))
        let route = Self.routes[random.next(below: Self.routes.count)]
        let status = Self.statuses[random.next(below: Self.statuses.count)]
        let method = Self.methods[random.next(below: Self.methods.count)]
        let consumer = consumers[random.next(below: consumers.count)]
        let requestID = hex(16) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12)
        let proxyLatency = random.next(below: 900) + 5
        let kongLatency = random.next(below: 8)
        let isAI = Double(random.next(below: 1_000_000)) / 1_000_000 < aiShare
        var json = #"{"request":{"id":"\#(requestID)","uri":"/\#(route)/v1/items?page=\#(random.next(below: 9))","#
        json += #""url":"https://api.example.com:443/\#(route)/v1/items","size":\#(random.next(below: 4000) + 80),"#
        json += #""querystring":{"page":"\#(random.next(below: 9))"},"method":"\#(method)","headers":{"#
        json += #""host":"api.example.com","user-agent":"example-sdk/2.\#(random.next(below: 20)).0 (linux; x86_64)","#
        json += #""accept":"application/json","content-type":"application/json","x-request-id":"\#(hex(32))"}},"upstream_uri":"/v1/items","#
        json += #""response":{"status":\#(status),"size":\#(random.next(below: 20000) + 200),"headers":{"#
        json += #""content-type":"application/json","content-length":"\#(random.next(below: 20000))","#
        json += #""x-kong-upstream-latency":"\#(proxyLatency)","via":"kong/3.9.0"}},"#
        json += #""route":{"id":"\#(uuid(route))","name":"\#(route)","paths":["/\#(route)"],"protocols":["http","https"],"#
        json += #""service":{"id":"\#(uuid(route + "-svc"))"}},"#
        json += #""service":{"id":"\#(uuid(route + "-svc"))","name":"\#(route)-svc","host":"\#(route).internal","port":8080,"#
        json += #""protocol":"http","retries":5},"#
        json += #""consumer":{"id":"\#(uuid(consumer))","username":"\#(consumer)","custom_id":"cust-\#(consumer)"},"#
        json += #""latencies":{"kong":\#(kongLatency),"proxy":\#(proxyLatency),"request":\#(kongLatency + proxyLatency),"receive":0},"#
        json += #""client_ip":"203.0.113.\#(random.next(below: 255))","workspace":"\#(uuid("default"))","#
        if isAI {
            let model = Self.models[random.next(below: Self.models.count)]
            let prompt = random.next(below: 4000) + 10
            let completion = random.next(below: 1500) + 1
            let cost = Double(prompt * 25 + completion * 100) / 10_000_000
            json += #""ai":{"proxy":{"usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"#
            json += #""total_tokens":\#(prompt + completion),"cost":\#(cost),"time_per_token":\#(random.next(below: 90) + 10)},"#
            json += #""meta":{"provider_name":"\#(model.provider)","request_model":"\#(model.request)","#
            json += #""response_model":"\#(model.response)","llm_latency":\#(proxyLatency)}}},"#
        }
        json += #""started_at":\#(clock)}"#
        return Array(json.utf8)
    }

    private mutating func hex(_ digits: Int) -> String {
        let alphabet = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(digits)
        for _ in 0..<digits { out.append(alphabet[random.next(below: 16)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// A stable UUID-shaped id derived from `name`.
    private func uuid(_ name: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in name.utf8 { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        let h = String(hash, radix: 16)
        let padded = String(repeating: "0", count: 16 - h.count) + h
        let chars = Array(padded)
        return String(chars[0..<8]) + "-" + String(chars[8..<12]) + "-4" + String(chars[12..<15]) + "-8" + String(chars[13..<16]) + "-" + padded.prefix(12)
    }
}

/// SplitMix64: a tiny, fast, seeded generator so every run sees the same records.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
