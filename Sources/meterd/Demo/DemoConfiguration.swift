import MeterdConfig
import MeterdCore

/// The configuration `meterd demo` runs: the built-in one below (parsed by
/// the normal `ConfigLoader`, so it is checked like any file) or `--config`.
///
/// Built-in: six customers on the `free` and `pro` plans, 10-second windows
/// with 2 seconds of grace so rollups appear within seconds, and quotas
/// small enough that the free plan crosses its thresholds and limits within
/// a minute of traffic at the default rate.
enum DemoConfiguration {
    /// How the built-in configuration is named on screen and in problems.
    static let builtInName = "built-in"

    static let builtInYAML = """
    # meterd demo: six customers on the free and pro plans, 10-second windows and
    # small quotas, so rollups appear within seconds and the free plan trips its
    # limits within a minute of traffic at --rate 300.
    appId: meterd-demo

    kafka:
      bootstrap: "embedded"             # replaced by the in-process broker's address
      inputTopics: [gateway.usage]

    windows: { size: 10s, grace: 2s, allowedLateness: 2m, idleTimeout: 2s }
    commitInterval: 200ms

    meters:
      - slug: api_requests
        eventType: kong.request
        aggregation: COUNT
        groupBy: { route: "$.route.name", status: "$.response.status" }
      - slug: llm_prompt_tokens
        eventType: kong.request
        aggregation: SUM
        valueProperty: "$.ai.proxy.usage.prompt_tokens"
        groupBy: { model: "$.ai.proxy.meta.response_model", provider: "$.ai.proxy.meta.provider_name" }
      - slug: llm_completion_tokens
        eventType: kong.request
        aggregation: SUM
        valueProperty: "$.ai.proxy.usage.completion_tokens"
        groupBy: { model: "$.ai.proxy.meta.response_model", provider: "$.ai.proxy.meta.provider_name" }
      # Cost in USD from the price table below: tokens × price per million,
      # with globex's negotiated rate.
      - slug: llm_cost
        eventType: kong.request
        aggregation: SUM
        cost: {}
        groupBy: { model: "$.ai.proxy.meta.response_model", provider: "$.ai.proxy.meta.provider_name" }

    features:
      - { key: requests, meter: api_requests, breakdown: [route] }
      - { key: successful_requests, meter: api_requests, filter: { status: [200, 201] } }
      - { key: llm_input_tokens, meter: llm_prompt_tokens, breakdown: [model] }
      - { key: llm_output_tokens, meter: llm_completion_tokens, breakdown: [model] }
      - { key: llm_spend, meter: llm_cost, breakdown: [provider, model] }

    prices:
      currency: USD
      models:
        - { provider: openai, model: "gpt-4o*", input: 2.50, output: 10.00 }
        - { provider: openai, model: gpt-4o-mini, input: 0.15, output: 0.60 }
        - { provider: anthropic, model: "claude-3-5-sonnet*", input: 3.00, output: 15.00 }
        - { provider: mistral, model: mistral-large, input: 2.00, output: 6.00 }

    plans:
      free:
        requests:         { limit: 2000, period: hour, thresholds: [50, 80, 100], hard: true }
        llm_input_tokens: { limit: 1000000, period: hour, thresholds: [50, 80, 100], hard: true }
        llm_spend:        { limit: 8, period: day, thresholds: [50, 100], hard: true }
      pro:
        requests:         { limit: 50000, period: hour, thresholds: [80, 100] }
        llm_input_tokens: { limit: 10000000, period: hour, thresholds: [10, 50, 100] }
        llm_spend:        { limit: 100, period: day, thresholds: [25, 50, 100] }

    customers:
      - { key: acme, plan: free, subjects: [acme-web, acme-mobile] }
      - key: globex
        plan: pro
        subjects: [globex-api, globex-batch, globex-chatbot]
        prices: [{ provider: openai, model: "gpt-4o*", input: 2.00, output: 8.00 }]   # negotiated
      - { key: initech, plan: free, subjects: [initech-portal, initech-reports] }
      - { key: umbrella, plan: pro, subjects: [umbrella-app, umbrella-etl] }
      - key: hooli
        plan: free
        subjects: [hooli-search, hooli-chat]
        overrides: { llm_spend: { limit: 4 } }
      - { key: stark, plan: pro, subjects: [stark-web, stark-jarvis, stark-labs] }

    unknownSubjects: passthrough
    """

    /// The configuration of `path`, or the built-in one; its bootstrap is
    /// replaced by the embedded broker's later.
    /// - Throws: `ConfigLoadError` listing every problem.
    static func load(path: String?) throws(ConfigLoadError) -> MeterdConfiguration {
        guard let path else { return try ConfigLoader.load(yaml: builtInYAML, file: builtInName) }
        return try ConfigLoader.load(contentsOfFile: path)
    }

    /// The gateway consumers the traffic generator sends as: every
    /// customer's subjects, taken round-robin across customers so each
    /// customer gets a fair share of the generator's skew towards early
    /// names; `nil` (generator default `team-N`) without customers.
    static func generatorSubjects(of configuration: MeterdConfiguration) -> [String]? {
        let lists = configuration.customers.map(\.subjects)
        let depth = lists.map(\.count).max() ?? 0
        let subjects = (0..<depth).flatMap { index in lists.compactMap { index < $0.count ? $0[index] : nil } }
        return subjects.isEmpty ? nil : subjects
    }

    /// Every topic the demo needs, with its partitions when `topics/` does
    /// not define it: inputs, outputs and the appId's internal topics.
    static func requiredTopics(of configuration: MeterdConfiguration) -> [(name: String, partitions: Int)] {
        configuration.kafka.inputTopics.map { (name: $0, partitions: 6) } + [
            (configuration.outputs.rollups, 6), (configuration.outputs.quota, 3), (configuration.outputs.dlq, 1),
            (configuration.repartitionTopic, 6), (configuration.changelogTopic, 6),
        ]
    }
}
