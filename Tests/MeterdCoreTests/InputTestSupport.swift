import MeterdCore

/// Builders shared by the Input* suites.
enum InputFixtures {
    static let apiRequests = MeterDefinition(
        slug: "api_requests", eventType: "kong.request", aggregation: .count,
        groupBy: ["route": "$.route.name", "status": "$.response.status"]
    )
    static let promptTokens = MeterDefinition(
        slug: "llm_prompt_tokens", eventType: "kong.request", aggregation: .sum,
        valueProperty: "$.ai.proxy.usage.prompt_tokens",
        groupBy: ["model": "$.ai.proxy.meta.response_model", "provider": "$.ai.proxy.meta.provider_name"]
    )

    static func extractor(
        meters: [MeterDefinition] = [apiRequests, promptTokens],
        customers: [CustomerDefinition] = [],
        unknownSubjects: UnknownSubjectPolicy = .passthrough,
        maxRecordBytes: Int = 1 << 20
    ) -> UsageExtractor? {
        try? UsageExtractor(configuration: MeterdConfiguration(
            meters: meters, customers: customers, unknownSubjects: unknownSubjects, maxRecordBytes: maxRecordBytes
        ))
    }

    /// A Kong log record; `extra` is spliced in as additional root members.
    static func kong(
        consumer: String = #"{"id":"c-1","username":"acme-web"}"#,
        startedAt: String = "1700000000123",
        requestID: String = #""req-1""#,
        extra: String = ""
    ) -> String {
        var members = [
            #""request":{"id":\#(requestID),"method":"POST","size":120,"headers":{"x-request-id":"abc"}}"#,
            #""started_at":\#(startedAt)"#,
            #""route":{"id":"r-1","name":"chat"}"#,
            #""response":{"status":200,"size":512}"#,
            #""latencies":{"kong":3,"proxy":120,"request":123}"#,
            #""consumer":\#(consumer)"#,
        ]
        if !extra.isEmpty { members.append(extra) }
        return "{" + members.joined(separator: ",") + "}"
    }

    static func aiBlock(key: String = "proxy", promptTokens: String = "10", model: String = #""gpt-4o""#) -> String {
        #""\#(key)":{"usage":{"prompt_tokens":\#(promptTokens),"completion_tokens":20,"cost":0.0004},"meta":{"provider_name":"openai","response_model":\#(model)}}"#
    }
}

extension UsageExtractor {
    func extract(_ json: String, headers: [RecordHeader] = [], timestamp: Int64 = 42) -> ExtractionResult {
        extract(value: Array(json.utf8), headers: headers, recordTimestampMillis: timestamp)
    }
}
