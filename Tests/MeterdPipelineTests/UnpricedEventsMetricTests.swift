@testable import MeterdPipeline
import Testing

@Suite("Unpriced LLM events metric")
struct UnpricedEventsMetricTests {
    @Test func rendersOneCounterPerCostMeter() {
        var counters = PipelineCounters()
        counters.unpricedEvents = ["llm_cost_usd": 3, "llm_cost_eur": 1]
        let text = PrometheusExposition.render(counters)
        #expect(text.contains("# TYPE meterd_unpriced_events_total counter\n"))
        #expect(text.contains("meterd_unpriced_events_total{meter=\"llm_cost_eur\"} 1\nmeterd_unpriced_events_total{meter=\"llm_cost_usd\"} 3\n"))
    }
}
