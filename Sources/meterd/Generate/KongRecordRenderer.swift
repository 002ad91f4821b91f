/// The per-request facts of one generated Kong record.
struct KongRequestFacts: Sendable {
    struct AIUsage: Sendable {
        let model: TrafficCatalog.Model
        let promptTokens: Int
        let completionTokens: Int

        /// Cost in USD, rounded to micro-dollars.
        var cost: Double {
            let raw = (Double(promptTokens) * model.promptPrice + Double(completionTokens) * model.completionPrice) / 1000
            return (raw * 1_000_000).rounded() / 1_000_000
        }
    }

    let requestId: String
    let startedAt: Int64
    let consumer: TrafficCatalog.Consumer
    let route: TrafficCatalog.Route
    let status: Int
    let requestSize: Int
    let responseSize: Int
    let proxyLatency: Int
    let kongLatency: Int
    let clientIP: String
    let upstreamIP: String
    let ai: AIUsage?
}

/// Renders Kong log serializer JSON (and its CloudEvents 1.0 wrapping) for
/// one request, with the fields and nesting Kong 3.x writes: about 1 KB.
enum KongRecordRenderer {
    static func kongJSON(_ facts: KongRequestFacts, workspaceId: String) -> String {
        let route = facts.route
        let consumer = facts.consumer
        let requestLatency = facts.proxyLatency + facts.kongLatency + 1
        var text = #"{"request":{"id":"\#(facts.requestId)","method":"\#(route.method)","uri":"\#(route.path)","#
        text += #""url":"https://api.example.com:443\#(route.path)","size":\#(facts.requestSize),"querystring":{},"#
        text += #""headers":{"host":"api.example.com","user-agent":"meterd-generate/1.0","accept":"application/json","#
        text += #""content-type":"application/json","x-consumer-username":"\#(consumer.username)"}},"#
        text += #""upstream_uri":"\#(route.path)","#
        text += #""response":{"status":\#(facts.status),"size":\#(facts.responseSize),"headers":{"content-type":"application/json","#
        text += #""x-kong-proxy-latency":"\#(facts.kongLatency)","x-kong-upstream-latency":"\#(facts.proxyLatency)","via":"kong/3.9.0"}},"#
        text += #""route":{"id":"\#(route.id)","name":"\#(route.name)","paths":["\#(route.path)"],"protocols":["https"],"#
        text += #""strip_path":false,"preserve_host":false,"ws_id":"\#(workspaceId)"},"#
        text += #""service":{"id":"\#(route.serviceId)","name":"\#(route.serviceName)","host":"\#(route.serviceHost)","#
        text += #""port":443,"protocol":"https","retries":5,"read_timeout":60000,"ws_id":"\#(workspaceId)"},"#
        text += #""consumer":{"id":"\#(consumer.id)","username":"\#(consumer.username)","custom_id":"\#(consumer.customId)"},"#
        text += #""latencies":{"request":\#(requestLatency),"kong":\#(facts.kongLatency),"proxy":\#(facts.proxyLatency),"receive":1},"#
        text += #""tries":[{"balancer_latency":0,"port":443,"ip":"\#(facts.upstreamIP)"}],"#
        text += #""client_ip":"\#(facts.clientIP)","workspace":"\#(workspaceId)","upstream_status":"\#(facts.status)","#
        text += #""source":"upstream","started_at":\#(facts.startedAt)"#
        if let ai = facts.ai {
            text += #","ai":{"proxy":{"usage":{"prompt_tokens":\#(ai.promptTokens),"completion_tokens":\#(ai.completionTokens),"#
            text += #""total_tokens":\#(ai.promptTokens + ai.completionTokens),"cost":\#(ai.cost)},"#
            text += #""meta":{"plugin_id":"ai-proxy","provider_name":"\#(ai.model.provider)","#
            text += #""request_model":"\#(ai.model.name)","response_model":"\#(ai.model.name)"}}}"#
        }
        return text + "}"
    }

    /// A structured-mode CloudEvent whose `data` is the Kong log object.
    static func cloudEventJSON(_ facts: KongRequestFacts, workspaceId: String, time: String) -> String {
        var text = #"{"specversion":"1.0","id":"\#(facts.requestId)","source":"kong","type":"kong.request","#
        text += #""subject":"\#(facts.consumer.username)","time":"\#(time)","datacontenttype":"application/json","data":"#
        return text + kongJSON(facts, workspaceId: workspaceId) + "}"
    }
}
