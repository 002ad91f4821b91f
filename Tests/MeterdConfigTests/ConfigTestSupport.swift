import MeterdConfig
import MeterdCore

/// Helpers shared by the configuration suites.
enum ConfigTestSupport {
    /// The repository root (this file is Tests/MeterdConfigTests/…).
    static let repositoryRoot: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    /// A valid document whose sections tests replace one at a time.
    static func document(
        head: String = "kafka: { bootstrap: \"localhost:9092\", inputTopics: [gateway.usage] }",
        meters: String = """
        meters:
          - slug: api_requests
            eventType: kong.request
            aggregation: COUNT
            groupBy: { route: "$.route.name", status: "$.response.status" }
          - slug: tokens
            eventType: kong.request
            aggregation: SUM
            valueProperty: "$.ai.proxy.usage.total_tokens"
            groupBy: { model: "$.ai.proxy.meta.response_model" }
        """,
        features: String = """
        features:
          - key: requests
            meter: api_requests
            filter: { status: ["200"] }
          - key: llm_tokens
            meter: tokens
            breakdown: [model]
        """,
        plans: String = """
        plans:
          free: { requests: { limit: 100, period: day } }
        """,
        customers: String = """
        customers:
          - key: acme
            subjects: [acme-web, acme-mobile]
            plan: free
        """
    ) -> String {
        [head, meters, features, plans, customers].joined(separator: "\n") + "\n"
    }

    /// Problems of `yaml` as (path, line) pairs.
    static func located(_ yaml: String) -> [Located] {
        ConfigLoader.check(yaml: yaml, file: "test.yaml").problems.map { Located(path: $0.path, line: $0.line ?? 0) }
    }

    /// 1-based number of the first line of `yaml` containing `needle`.
    static func line(of needle: String, in yaml: String) -> Int {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.firstIndex { $0.contains(needle) } ?? -1) + 1
    }

    struct Located: Equatable, CustomStringConvertible {
        let path: String
        let line: Int
        var description: String { "\(path)@\(line)" }
    }
}
