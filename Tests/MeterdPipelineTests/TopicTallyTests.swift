import Testing
@testable import MeterdPipeline

@Suite struct TopicTallyTests {
    @Test func countsPerTopicAndStartsOverAfterDraining() {
        var tally = TopicTally()
        for topic in ["usage", "app-repartition", "usage", "usage", String("usa") + "ge"] { tally.add(topic) }
        var totals = ["usage": 10]
        tally.drain(into: &totals)
        #expect(totals == ["usage": 14, "app-repartition": 1])
        tally.drain(into: &totals)
        #expect(totals == ["usage": 14, "app-repartition": 1])
        tally.add("app-repartition")
        tally.drain(into: &totals)
        #expect(totals == ["usage": 14, "app-repartition": 2])
    }
}
