/// The fixed cast of generated traffic: gateway consumers, REST and AI
/// routes, and AI models, with stable ids drawn once from the seed.
struct TrafficCatalog: Sendable {
    struct Consumer: Sendable {
        let id: String
        let username: String
        let customId: String
    }

    struct Route: Sendable {
        let id: String
        let name: String
        let method: String
        let path: String
        let serviceId: String
        let serviceName: String
        let serviceHost: String
    }

    struct Model: Sendable {
        let provider: String
        let name: String
        /// Price per 1,000 prompt and completion tokens, in USD.
        let promptPrice: Double
        let completionPrice: Double
    }

    let workspaceId: String
    let consumers: [Consumer]
    let restRoutes: [Route]
    let aiRoutes: [Route]
    let models: [Model] = [
        Model(provider: "openai", name: "gpt-4o", promptPrice: 0.0025, completionPrice: 0.01),
        Model(provider: "openai", name: "gpt-4o-mini", promptPrice: 0.00015, completionPrice: 0.0006),
        Model(provider: "anthropic", name: "claude-3-5-sonnet", promptPrice: 0.003, completionPrice: 0.015),
        Model(provider: "mistral", name: "mistral-large", promptPrice: 0.002, completionPrice: 0.006),
    ]

    /// - Parameter subjects: consumer usernames; `nil` or empty names them
    ///   `team-1`…`team-<customers>`.
    init(customers: Int, subjects: [String]? = nil, random: inout TrafficRandom) {
        workspaceId = random.uuid()
        let names = subjects.flatMap { $0.isEmpty ? nil : $0 } ?? (1...max(1, customers)).map { "team-\($0)" }
        consumers = names.enumerated().map { index, name in
            Consumer(id: random.uuid(), username: name, customId: "cust-\(index + 1)")
        }
        func route(_ name: String, _ method: String, _ path: String, _ service: String, _ host: String) -> Route {
            Route(id: random.uuid(), name: name, method: method, path: path, serviceId: random.uuid(), serviceName: service, serviceHost: host)
        }
        restRoutes = [
            route("orders", "GET", "/v1/orders", "orders-api", "orders.internal"),
            route("orders-create", "POST", "/v1/orders", "orders-api", "orders.internal"),
            route("payments", "POST", "/v1/payments", "payments-api", "payments.internal"),
            route("search", "GET", "/v1/search", "search-api", "search.internal"),
            route("users", "GET", "/v1/users", "users-api", "users.internal"),
        ]
        aiRoutes = [
            route("chat", "POST", "/v1/chat/completions", "llm-gateway", "llm.internal"),
            route("embeddings", "POST", "/v1/embeddings", "llm-gateway", "llm.internal"),
        ]
    }
}
