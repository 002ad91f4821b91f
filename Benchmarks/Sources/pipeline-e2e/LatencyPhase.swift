import Foundation
import KongTraffic
import MeterdKafka

/// End-to-end quota latency of one contender.
struct LatencyResult {
    var name: String
    var produced: Int
    /// Input records the contender had processed when the producer finished: below `produced`, it fell behind.
    var processedAtEnd: Int
    /// Threshold crossings of the measured (post warm-up) part, by the oracle.
    var crossings: Int
    /// Of those, the ones whose quota event was read.
    var matched: Int
    var p50: Double
    var p99: Double
    var max: Double
}

/// Live traffic at a fixed rate with `started_at` = now, into a running
/// contender; latency = (quota event readable) − (crossing record sent). The
/// crossing record is found by an oracle counting each customer's successful
/// requests per UTC hour in send order: the record that brings the count to
/// limit × t / 100 is the first one after which any processor could announce t.
enum LatencyPhase {
    /// The contender's input and quota topics, the traffic, and the quota rule the oracle applies.
    struct Settings {
        var topic: String
        var partitions: Int
        var quotaTopic: String
        var quotaPartitions: Int
        var bootstrap: String
        var rate: Int
        var seconds: Int
        /// The `successful_requests` quota of the latency configuration.
        var feature = "successful_requests"
        var limit: Double
        var thresholds: [Double]
        var successStatuses: Set<Int> = [200, 201, 204]
        var warmupRecords = 300
    }

    static func run(_ contender: RunningContender, settings: Settings, stream: inout PipelineStream) throws -> LatencyResult {
        let reader = QuotaArrivals(topic: settings.quotaTopic, partitions: settings.quotaPartitions, bootstrap: settings.bootstrap)
        defer { reader.stop() }
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrap: settings.bootstrap, [
            "compression.type": "lz4", "linger.ms": "5", "client.id": "bench-latency-producer",
        ]))
        var oracle = CrossingOracle(settings: settings)
        var index = 0
        var sent = 0
        func sendNext(measured: Bool) throws {
            while stream.event(at: index).sequence != UInt64(index) { index += 1 }  // redeliveries: not in this phase
            var value = stream.record(at: index)
            index += 1
            let nowMillis = Int64(Date().timeIntervalSince1970 * 1000)
            stamp(&value, startedAt: nowMillis)
            let record = OutgoingRecord(topic: settings.topic, partition: Int32(sent % settings.partitions), value: value, timestampMillis: nowMillis)
            while true {
                do {
                    try producer.send(record)
                    break
                } catch {
                    guard error.name == "_QUEUE_FULL" else { throw error }
                    producer.poll(timeoutMillis: 5)
                }
            }
            oracle.observe(value, eventMillis: nowMillis, sentAt: KafkaPhases.now(), measured: measured)
            sent += 1
            if sent % 50 == 0 { producer.poll(timeoutMillis: 0) }
        }

        // Warm-up: the contender has joined and processes records.
        for _ in 0..<settings.warmupRecords { try sendNext(measured: false) }
        try producer.flush(timeoutMillis: 30_000)
        let warmupDeadline = KafkaPhases.now() + 120
        while contender.probe(settings.warmupRecords).processed < settings.warmupRecords {
            for process in contender.processes where !process.isRunning {
                throw BenchError("\(contender.name) exited with status \(process.terminationStatus) during the latency warm-up; see \(contender.logHint)")
            }
            guard KafkaPhases.now() < warmupDeadline else {
                throw BenchError("\(contender.name) did not process the \(settings.warmupRecords) warm-up records within 120 s; see \(contender.logHint)")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }

        // Measured part, paced.
        let total = settings.rate * settings.seconds
        let start = KafkaPhases.now()
        for count in 0..<total {
            let due = start + Double(count) / Double(settings.rate)
            let wait = due - KafkaPhases.now()
            if wait > 0.000_5 { usleep(useconds_t(wait * 1_000_000)) }
            try sendNext(measured: true)
        }
        try producer.flush(timeoutMillis: 30_000)
        Thread.sleep(forTimeInterval: 0.6)  // a few progress publications (every 100 ms)
        let processedAtEnd = contender.probe(sent).processed

        // Wait for the last quota events (bounded).
        let drainDeadline = KafkaPhases.now() + 20
        while KafkaPhases.now() < drainDeadline, oracle.crossings.contains(where: { reader.arrival(of: $0.key) == nil }) {
            Thread.sleep(forTimeInterval: 0.1)
        }
        if let error = reader.error { throw BenchError(error) }
        let latencies = oracle.crossings.compactMap { key, sentAt in reader.arrival(of: key).map { $0 - sentAt } }.sorted()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)]
        }
        return LatencyResult(
            name: contender.name, produced: sent, processedAtEnd: processedAtEnd, crossings: oracle.crossings.count, matched: latencies.count,
            p50: percentile(0.5), p99: percentile(0.99), max: latencies.last ?? .nan
        )
    }

    /// Writes `millis` over the 13 digits of the record's final `"started_at":<13 digits>}`.
    static func stamp(_ value: inout [UInt8], startedAt millis: Int64) {
        var time = millis
        let end = value.count - 1
        for position in stride(from: end - 1, through: end - 13, by: -1) {
            value[position] = UInt8(ascii: "0") + UInt8(time % 10)
            time /= 10
        }
    }
}

/// Counts successful requests per customer and UTC hour in send order, and
/// notes when a record reaches a threshold of the quota.
struct CrossingOracle {
    let settings: LatencyPhase.Settings
    private var counts: [String: Int] = [:]
    /// Quota key → when the crossing record was sent (measured part only).
    private(set) var crossings: [String: Double] = [:]

    init(settings: LatencyPhase.Settings) { self.settings = settings }

    mutating func observe(_ value: [UInt8], eventMillis: Int64, sentAt: Double, measured: Bool) {
        let text = String(decoding: value, as: UTF8.self)
        guard let team = Self.integer(after: #""username":"team-"#, in: text),
              let status = Self.integer(after: #""response":{"status":"#, in: text),
              settings.successStatuses.contains(status) else { return }
        let customer = PipelineConfiguration.customerKey(team / 2)
        let periodStart = eventMillis - eventMillis % 3_600_000
        let countKey = "\(customer)|\(periodStart)"
        let count = (counts[countKey] ?? 0) + 1
        counts[countKey] = count
        guard measured else { return }
        for threshold in settings.thresholds where Double(count - 1) < settings.limit * threshold / 100 && Double(count) >= settings.limit * threshold / 100 {
            crossings[QuotaArrivals.key(customer: customer, feature: settings.feature, periodStartMillis: periodStart, threshold: threshold)] = sentAt
        }
    }

    private static func integer(after marker: String, in text: String) -> Int? {
        guard let range = text.range(of: marker) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}
