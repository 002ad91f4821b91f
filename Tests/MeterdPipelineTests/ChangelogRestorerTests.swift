import Logging
import MeterdKafka
@testable import MeterdPipeline
import Testing

/// Restore semantics on the embedded broker: state counts up to the last
/// checkpoint, a full refresh replaces what came before, positions stand alone.
@Suite("Changelog restore", .serialized, .timeLimit(.minutes(1)))
struct ChangelogRestorerTests {
    private var logger: Logger {
        var logger = Logger(label: "meterd.test")
        logger.logLevel = .critical
        return logger
    }

    private func checkpoint(_ next: Int64, full: Bool = false) -> ChangelogRecord {
        .checkpoint(AggregationCheckpoint(nextOffset: next, appliedOrigins: [OriginPartition(topic: "in", partition: 0): next * 10], aggregatorHeader: [UInt8(next)], isFullRefresh: full))
    }

    private func state(_ key: String, _ value: String?) -> ChangelogRecord {
        .state(key: Array(key.utf8), value: value.map { Array($0.utf8) })
    }

    private func restore(_ records: [ChangelogRecord], transactional: Bool) throws -> ChangelogContents {
        let broker = try EmbeddedBroker(logger: logger)
        try broker.createTopic("app-changelog", partitions: 2)
        let configuration = KafkaConfiguration(bootstrap: broker.bootstrap)
        var producerConfiguration = configuration
        if transactional { producerConfiguration["transactional.id"] = "restorer-test" }
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        if transactional {
            try producer.initTransactions(timeoutMillis: 10_000)
            try producer.beginTransaction()
        }
        for record in records {
            let (key, value) = record.keyAndValue
            try producer.send(OutgoingRecord(topic: "app-changelog", partition: 1, key: key, value: value))
        }
        if transactional { try producer.commitTransaction(timeoutMillis: 10_000) } else { try producer.flush(timeoutMillis: 10_000) }
        return try ChangelogRestorer(kafka: configuration, topic: "app-changelog", logger: logger).read(partition: 1, timeoutMillis: 20_000)
    }

    @Test("records after the last checkpoint are ignored; tombstones remove keys")
    func lastCheckpointWins() throws {
        let contents = try restore([
            state("a", "1"), state("b", "1"), checkpoint(5),
            state("a", "2"), state("b", nil), checkpoint(9),
            state("a", "3"), state("c", "1"),
        ], transactional: false)
        #expect(contents.checkpoint?.nextOffset == 9)
        #expect(contents.checkpoint?.appliedOrigins[OriginPartition(topic: "in", partition: 0)] == 90)
        #expect(contents.stateRecords == [Array("a".utf8): Array("2".utf8)])
        #expect(contents.recordsRead == 8)
        #expect(!contents.dataLost)
    }

    @Test("a full refresh replaces everything before it")
    func fullRefreshReplaces() throws {
        let contents = try restore([
            state("old", "1"), checkpoint(1),
            state("a", "9"), checkpoint(2, full: true),
            state("b", "1"), checkpoint(3),
        ], transactional: false)
        #expect(contents.stateRecords == [Array("a".utf8): Array("9".utf8), Array("b".utf8): Array("1".utf8)])
        #expect(contents.checkpoint?.nextOffset == 3)
    }

    @Test("input positions are taken as read, the latest one per partition")
    func inputPositions() throws {
        let contents = try restore([
            .inputPosition(topic: "in", partition: 1, nextOffset: 10),
            .inputPosition(topic: "in", partition: 7, nextOffset: 3),
            .inputPosition(topic: "in", partition: 1, nextOffset: 25),
        ], transactional: false)
        #expect(contents.inputPositions == [TopicPartition("in", 1): 25, TopicPartition("in", 7): 3])
        #expect(contents.checkpoint == nil)
    }

    @Test("a transactional changelog (with markers) is read to its end")
    func transactionalChangelog() throws {
        let contents = try restore([state("a", "1"), checkpoint(4)], transactional: true)
        #expect(contents.checkpoint?.nextOffset == 4)
        #expect(contents.stateRecords == [Array("a".utf8): Array("1".utf8)])
    }

    @Test("an empty partition restores nothing")
    func emptyPartition() throws {
        let contents = try restore([], transactional: false)
        #expect(contents.checkpoint == nil && contents.stateRecords.isEmpty && contents.recordsRead == 0)
    }
}
