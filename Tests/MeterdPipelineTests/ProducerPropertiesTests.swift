import MeterdCore
import MeterdKafka
import Testing
@testable import MeterdPipeline

@Suite("Producer properties: meterd's defaults for its transactional producer, and the user's own settings")
struct ProducerPropertiesTests {
    private let configuration = MeterdConfiguration(kafka: KafkaSettings(bootstrap: "127.0.0.1:1"), commitIntervalMillis: 250)

    @Test("defaults: linger of the commit interval (at most 100 ms), a large local queue, 16 MiB records")
    func defaults() {
        let properties = Processor.producerProperties(configuration: configuration, kafka: KafkaConfiguration([:]), transactionalId: "app-0")
        #expect(properties["transactional.id"] == "app-0")
        #expect(properties["partitioner"] == "murmur2_random")
        #expect(properties["linger.ms"] == "100")
        #expect(properties["transaction.timeout.ms"] == "10000")
        #expect(properties["queue.buffering.max.messages"] == "1000000")
        #expect(properties["message.max.bytes"] == "\(16 * 1024 * 1024)")
    }

    @Test("a property the kafka block sets is left to it")
    func userSettingsWin() {
        let kafka = KafkaConfiguration(["transaction.timeout.ms": "30000", "linger.ms": "7", "message.max.bytes": "2000000"])
        let properties = Processor.producerProperties(configuration: configuration, kafka: kafka, transactionalId: "app-0")
        #expect(properties["transaction.timeout.ms"] == nil)
        #expect(properties["linger.ms"] == nil)
        #expect(properties["message.max.bytes"] == nil)
        let merged = kafka.merging(properties)
        #expect(merged["transaction.timeout.ms"] == "30000")
        #expect(merged["linger.ms"] == "7")
    }
}
