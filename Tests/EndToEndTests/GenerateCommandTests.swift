import Foundation
import Logging
import MeterdKafka
import Testing

@Suite("meterd generate as a process", .serialized, .timeLimit(.minutes(2)))
struct GenerateCommandTests {
    private var quietLogger: Logger {
        var logger = Logger(label: "meterd.test")
        logger.logLevel = .critical
        return logger
    }

    /// Reads every record of `topic` from the beginning until `count` arrived
    /// and a further quiet second shows no more come.
    private func readAll(_ topic: String, bootstrap: String, expecting count: Int) throws -> [ConsumedRecord] {
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(bootstrap: bootstrap, ["group.id": "e2e-generate", "auto.offset.reset": "earliest"]),
            logger: quietLogger
        )
        defer { try? consumer.close() }
        let partitions = try consumer.topicPartitionCounts(timeoutMillis: 10_000)[topic] ?? 0
        try consumer.assign(Dictionary(uniqueKeysWithValues: (0..<Int32(partitions)).map { (TopicPartition(topic, $0), KafkaOffset.beginning) }))
        var records: [ConsumedRecord] = []
        var deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if case .record(let record)? = consumer.poll(timeoutMillis: 50) {
                records.append(record)
                if records.count == count { deadline = ContinuousClock.now + .seconds(1) }
            }
        }
        return records
    }

    private func object(_ bytes: [UInt8]?) -> [String: Any]? {
        guard let bytes else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    private func summaryCount(_ line: String) -> Int? {
        let parts = line.split(separator: " ")
        guard parts.count > 2, parts[0] == "generated" else { return nil }
        return Int(parts[1])
    }

    @Test("--events 500 --rate 0 sends exactly 500 Kong records in the requested shares")
    func kongTrafficShares() async throws {
        let broker = try MeterdProcess(["broker", "--topics", "e2e.generate:3"])
        let bootstrap = try await broker.waitForLines(1)[0]
        let generator = try MeterdProcess([
            "generate", "--bootstrap", bootstrap, "--topic", "e2e.generate", "--events", "500", "--rate", "0", "--seed", "1",
            "--customers", "5", "--ai-share", "0.4", "--duplicates", "0.1", "--malformed", "0.02", "--late", "0.1",
        ])
        #expect(try await generator.waitForExit(timeout: .seconds(30)) == 0)
        let summary = try #require(generator.stdoutLines.last)
        #expect(summaryCount(summary) == 500, "summary: \(summary)")
        #expect(summary.contains("delivered 500, failed 0"))

        let records = try readAll("e2e.generate", bootstrap: bootstrap, expecting: 500)
        #expect(records.count == 500)
        let parsed = records.compactMap { object($0.value) }
        let malformed = records.count - parsed.count
        #expect((2...25).contains(malformed), "malformed \(malformed) of 500 at share 0.02")

        var idCounts: [String: Int] = [:]
        var aiCount = 0
        var lateCount = 0
        var subjects: Set<String> = []
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for record in parsed {
            let request = try #require(record["request"] as? [String: Any])
            let id = try #require(request["id"] as? String)
            idCounts[id, default: 0] += 1
            #expect(request["method"] is String && request["size"] is Int)
            let startedAt = try #require(record["started_at"] as? Int64)
            if now - startedAt > 14_000 { lateCount += 1 }
            let consumer = try #require(record["consumer"] as? [String: Any])
            subjects.insert(try #require(consumer["username"] as? String))
            #expect((record["route"] as? [String: Any])?["name"] is String)
            #expect((record["service"] as? [String: Any])?["name"] is String)
            #expect((record["response"] as? [String: Any])?["status"] is Int)
            #expect((record["latencies"] as? [String: Any])?["request"] is Int)
            if let proxy = (record["ai"] as? [String: Any])?["proxy"] as? [String: Any] {
                aiCount += 1
                let usage = try #require(proxy["usage"] as? [String: Any])
                let prompt = try #require(usage["prompt_tokens"] as? Int)
                let completion = try #require(usage["completion_tokens"] as? Int)
                #expect(usage["total_tokens"] as? Int == prompt + completion)
                #expect(usage["cost"] is Double)
                let meta = try #require(proxy["meta"] as? [String: Any])
                #expect(meta["provider_name"] is String && meta["request_model"] is String && meta["response_model"] is String)
            }
        }
        #expect(subjects.isSubset(of: Set((1...5).map { "team-\($0)" })) && subjects.count == 5)
        let duplicates = idCounts.values.reduce(0) { $0 + $1 - 1 }
        #expect((25...80).contains(duplicates), "duplicates \(duplicates) of 500 at share 0.1")
        let share = Double(aiCount) / Double(parsed.count)
        #expect((0.3...0.5).contains(share), "AI share \(share)")
        #expect((20...90).contains(lateCount), "late \(lateCount) of 500 at share 0.1")
        let averageSize = records.reduce(0) { $0 + ($1.value?.count ?? 0) } / records.count
        #expect((800...1600).contains(averageSize), "average record \(averageSize) bytes")

        #expect(try await broker.stop() == 0)
    }

    @Test("--format cloudevents writes structured CloudEvents with the Kong object as data")
    func cloudEvents() async throws {
        let broker = try MeterdProcess(["broker", "--topics", "e2e.ce:1"])
        let bootstrap = try await broker.waitForLines(1)[0]
        let generator = try MeterdProcess([
            "generate", "--bootstrap", bootstrap, "--topic", "e2e.ce", "--events", "50", "--rate", "0", "--seed", "7",
            "--format", "cloudevents", "--malformed", "0", "--duplicates", "0",
        ])
        #expect(try await generator.waitForExit(timeout: .seconds(30)) == 0)
        let records = try readAll("e2e.ce", bootstrap: bootstrap, expecting: 50)
        #expect(records.count == 50)
        for record in records {
            let event = try #require(object(record.value))
            #expect(event["specversion"] as? String == "1.0")
            #expect(event["type"] as? String == "kong.request")
            #expect(event["source"] as? String == "kong")
            let subject = try #require(event["subject"] as? String)
            let time = try #require(event["time"] as? String)
            #expect(time.hasSuffix("Z") && time.contains("T"))
            let data = try #require(event["data"] as? [String: Any])
            #expect((data["consumer"] as? [String: Any])?["username"] as? String == subject)
            #expect((data["request"] as? [String: Any])?["id"] as? String == event["id"] as? String)
        }
        #expect(try await broker.stop() == 0)
    }

    @Test("--rate 200 --duration 2s sends about 400 records and exits 0")
    func rateControl() async throws {
        let broker = try MeterdProcess(["broker", "--topics", "e2e.rate:2"])
        let bootstrap = try await broker.waitForLines(1)[0]
        let generator = try MeterdProcess([
            "generate", "--bootstrap", bootstrap, "--topic", "e2e.rate", "--rate", "200", "--duration", "2s",
            "--seed", "3", "--progress-interval", "500ms",
        ])
        #expect(try await generator.waitForExit(timeout: .seconds(30)) == 0)
        let sent = try #require(generator.stdoutLines.last.flatMap(summaryCount))
        #expect((280...520).contains(sent), "sent \(sent)")
        #expect(generator.stderr.contains("sent "), "progress lines on stderr")
        let records = try readAll("e2e.rate", bootstrap: bootstrap, expecting: sent)
        #expect(records.count == sent)
        #expect(try await broker.stop() == 0)
    }

    @Test("stops on SIGTERM, flushes, prints its summary and exits 0")
    func stopsOnSignal() async throws {
        let broker = try MeterdProcess(["broker", "--topics", "e2e.stop:1"])
        let bootstrap = try await broker.waitForLines(1)[0]
        let generator = try MeterdProcess([
            "generate", "--bootstrap", bootstrap, "--topic", "e2e.stop", "--rate", "500", "--seed", "4",
        ])
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try await generator.stop(signal: SIGTERM) == 0)
        let sent = try #require(generator.stdoutLines.last.flatMap(summaryCount))
        #expect(sent > 100)
        #expect(generator.stdoutLines.last?.contains("failed 0") == true)
        #expect(try await broker.stop() == 0)
    }
}
