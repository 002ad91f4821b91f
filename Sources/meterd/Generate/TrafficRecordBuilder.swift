import MeterdCore

/// Makes the records of `meterd generate`: fresh Kong requests (some AI
/// calls, some late), byte-exact re-sends of recent records, and truncated
/// JSON, in the shares of a `TrafficProfile`.
///
/// Pure apart from its seeded generator: the wall-clock time is a
/// parameter, so a given seed yields the same contents for the same times.
struct TrafficRecordBuilder {
    private var random: TrafficRandom
    private let profile: TrafficProfile
    private let catalog: TrafficCatalog
    /// Recent well-formed records, the pool duplicates are drawn from.
    private var recent: [[UInt8]] = []
    private var recentNext = 0
    private static let recentCapacity = 64

    init(profile: TrafficProfile, seed: UInt64) {
        var random = TrafficRandom(seed: seed)
        self.catalog = TrafficCatalog(customers: profile.customers, subjects: profile.subjects, random: &random)
        self.random = random
        self.profile = profile
        recent.reserveCapacity(Self.recentCapacity)
    }

    /// The next record, stamped relative to `nowMillis` (epoch ms).
    mutating func next(nowMillis: Int64) -> GeneratedEvent {
        let draw = random.unit()
        if draw < profile.malformedShare {
            let valid = fresh(nowMillis: nowMillis).bytes
            // A record cut short, as a crashing writer leaves it: never valid JSON.
            let cut = random.int(in: 1...(valid.count - 2))
            return GeneratedEvent(bytes: Array(valid.prefix(cut)), kind: .malformed)
        }
        if draw < profile.malformedShare + profile.duplicateShare, !recent.isEmpty {
            return GeneratedEvent(bytes: random.pick(recent), kind: .duplicate)
        }
        let event = fresh(nowMillis: nowMillis)
        remember(event.bytes)
        return event
    }

    private mutating func remember(_ bytes: [UInt8]) {
        if recent.count < Self.recentCapacity {
            recent.append(bytes)
        } else {
            recent[recentNext] = bytes
        }
        recentNext = (recentNext + 1) % Self.recentCapacity
    }

    private mutating func fresh(nowMillis: Int64) -> GeneratedEvent {
        let isLate = random.chance(profile.lateShare)
        let isAI = random.chance(profile.aiShare)
        let startedAt = isLate
            ? nowMillis - Int64(random.int(in: 15_000...300_000))
            : nowMillis - Int64(random.int(in: 0...200))
        let facts = KongRequestFacts(
            requestId: random.hex(32),
            startedAt: startedAt,
            consumer: skewedConsumer(),
            route: random.pick(isAI ? catalog.aiRoutes : catalog.restRoutes),
            status: status(),
            requestSize: random.int(in: 200...4_000),
            responseSize: random.int(in: 300...16_000),
            proxyLatency: isAI ? random.int(in: 300...6_000) : random.int(in: 5...250),
            kongLatency: random.int(in: 0...6),
            clientIP: "203.0.113.\(random.int(in: 1...254))",
            upstreamIP: "10.0.\(random.int(in: 0...15)).\(random.int(in: 1...254))",
            ai: isAI ? aiUsage() : nil
        )
        let text = switch profile.format {
        case .kong:
            KongRecordRenderer.kongJSON(facts, workspaceId: catalog.workspaceId)
        case .cloudevents:
            KongRecordRenderer.cloudEventJSON(facts, workspaceId: catalog.workspaceId, time: RFC3339.string(epochMillis: startedAt))
        }
        return GeneratedEvent(bytes: Array(text.utf8), kind: .fresh(isAI: isAI, isLate: isLate))
    }

    /// Low-numbered teams send more: the smaller of two uniform draws.
    private mutating func skewedConsumer() -> TrafficCatalog.Consumer {
        let last = catalog.consumers.count - 1
        return catalog.consumers[min(random.int(in: 0...last), random.int(in: 0...last))]
    }

    private mutating func status() -> Int {
        let draw = random.unit()
        switch draw {
        case ..<0.88: return 200
        case ..<0.92: return 201
        case ..<0.95: return 404
        case ..<0.97: return 429
        case ..<0.99: return 401
        default: return 502
        }
    }

    private mutating func aiUsage() -> KongRequestFacts.AIUsage {
        KongRequestFacts.AIUsage(
            model: random.pick(catalog.models),
            promptTokens: random.int(in: 20...4_000),
            completionTokens: random.int(in: 0...1_500)
        )
    }
}
