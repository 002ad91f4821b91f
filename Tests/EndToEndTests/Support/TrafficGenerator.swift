/// Seeded Kong traffic for the pipeline e2e tests, written here on purpose
/// (not the Benchmarks generator) so the oracle shares nothing with meterd.
///
/// Event time starts at 2026-03-31T23:54:00Z and spans just under 10 minutes,
/// crossing a day and a month boundary. Mostly in order with disorder within
/// grace; ~3 % late by 10 s–4 min (revisions of emitted windows, well within
/// allowedLateness); ~2 % exact re-sends of an earlier record; ~1 %
/// malformed (bad JSON, no consumer, non-numeric tokens).
struct TrafficGenerator {
    static let baseMillis: Int64 = 1_775_001_240_000
    static let spanMillis: Int64 = 599_000
    static let inputPartitions: Int32 = 6

    let setup: PipelineSetup
    let seed: UInt64

    /// A subject's input partition when the input is keyed by subject (FNV-1a).
    static func partition(ofSubject subject: String) -> Int32 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in subject.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int32(hash % UInt64(inputPartitions))
    }

    func generate(count: Int) -> [GeneratedRecord] {
        var random = SeededRandom(seed: seed)
        var weighted: [TestCustomer] = []
        for customer in setup.customers {
            weighted += Array(repeating: customer, count: customer.weight)
        }
        let routes = ["chat", "completions", "embeddings", "users", "orders"]
        let models = [("openai", "gpt-4o"), ("openai", "gpt-4o-mini"), ("anthropic", "claude-sonnet"), ("mistral", "mistral-large")]
        var records: [GeneratedRecord] = []
        records.reserveCapacity(count)
        var recentUsage: [(KongEvent, [UInt8])] = []

        func append(_ kind: GeneratedRecord.Kind, _ bytes: [UInt8]) {
            var partition = Int32(random.int(in: 0...Int(Self.inputPartitions - 1)))
            var key = Array("s\(records.count)".utf8)
            if setup.keyedBySubject, case .usage(let event) = kind, let subject = event.subject {
                partition = Self.partition(ofSubject: subject)
                key = Array(subject.utf8)
            }
            records.append(GeneratedRecord(kind: kind, bytes: bytes, partition: partition, key: key))
        }

        for index in 0..<count {
            let front = Self.baseMillis + Int64(index) * Self.spanMillis / Int64(count)
            let roll = random.unit()
            if roll < 0.02, !recentUsage.isEmpty {
                let (event, bytes) = random.pick(recentUsage)
                append(.usage(event), bytes)
                continue
            }
            let customer = random.pick(weighted)
            let subject = random.pick(customer.subjects)
            let late = roll >= 0.02 && roll < 0.05
            let lag = late ? random.int64(in: 10_000...240_000) : random.int64(in: 0...1_500)
            let startedAt = max(Self.baseMillis, front - lag)
            let route = random.pick(routes)
            let statuses = [200, 200, 200, 200, 200, 200, 200, 200, 200, 201, 404, 429, 500]
            let status = random.pick(statuses)
            var ai: KongEvent.AIUsage?
            if route != "users", route != "orders", random.chance(0.65) {
                let (provider, model) = random.pick(models)
                let prompt = random.int(in: 50...2_000)
                ai = KongEvent.AIUsage(
                    promptTokens: prompt, badPromptTokens: nil, completionTokens: random.int(in: 10...800),
                    costUnits: random.int(in: 1...512), provider: provider, model: model
                )
            }
            let requestId = "req-\(seed)-\(index)"
            let malformed = random.unit()
            if malformed < 0.0035 {
                let event = KongEvent(requestId: requestId, startedAt: startedAt, subject: subject, route: route, status: status, ai: ai)
                let text = event.json
                append(.rejected(reason: "malformed_json"), Array(text.utf8.prefix(text.utf8.count / 2)))
            } else if malformed < 0.007 {
                let event = KongEvent(requestId: requestId, startedAt: startedAt, subject: nil, route: route, status: status, ai: ai)
                append(.rejected(reason: "missing_subject"), Array(event.json.utf8))
            } else if malformed < 0.0105 {
                let bad = KongEvent.AIUsage(
                    promptTokens: 0, badPromptTokens: "12tokens", completionTokens: 5, costUnits: 3, provider: "openai", model: "gpt-4o"
                )
                let event = KongEvent(requestId: requestId, startedAt: startedAt, subject: subject, route: "chat", status: status, ai: bad)
                append(.rejected(reason: "invalid_value"), Array(event.json.utf8))
            } else {
                let event = KongEvent(requestId: requestId, startedAt: startedAt, subject: subject, route: route, status: status, ai: ai)
                let bytes = Array(event.json.utf8)
                append(.usage(event), bytes)
                recentUsage.append((event, bytes))
                if recentUsage.count > 500 { recentUsage.removeFirst(100) }
            }
        }
        return records
    }
}
