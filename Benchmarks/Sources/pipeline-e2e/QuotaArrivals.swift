import Foundation
import MeterdKafka
import Synchronization

/// Reads a quota topic (`read_committed`, every partition from the
/// beginning) on its own thread and notes when each quota event became
/// readable, keyed `customer|feature|periodStartMillis|threshold`.
final class QuotaArrivals: Sendable {
    private let arrivals = Mutex<[String: Double]>([:])
    private let stopping = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let failure = Mutex<String?>(nil)

    init(topic: String, partitions: Int, bootstrap: String) {
        Thread.detachNewThread { [self] in
            defer { stopped.store(true, ordering: .sequentiallyConsistent) }
            do {
                let consumer = try KafkaConsumer(configuration: KafkaConfiguration(bootstrap: bootstrap, [
                    "isolation.level": "read_committed", "fetch.wait.max.ms": "10", "client.id": "bench-quota-reader",
                ]))
                defer { try? consumer.close() }
                try consumer.assign(Dictionary(uniqueKeysWithValues: (0..<partitions).map { (TopicPartition(topic, Int32($0)), KafkaOffset.beginning) }))
                while !stopping.load(ordering: .sequentiallyConsistent) {
                    var keys: [String] = []
                    consumer.consumeBatch(maxRecords: 1_000, timeoutMillis: 20, onRecord: { record in
                        if let key = record.withValue({ $0.flatMap(Self.key(of:)) }) { keys.append(key) }
                    }, onEvent: { _ in })
                    guard !keys.isEmpty else { continue }
                    let now = KafkaPhases.now()
                    arrivals.withLock { map in
                        for key in keys where map[key] == nil { map[key] = now }
                    }
                }
            } catch {
                failure.withLock { $0 = "quota reader: \(error)" }
            }
        }
    }

    func arrival(of key: String) -> Double? { arrivals.withLock { $0[key] } }

    var error: String? { failure.withLock { $0 } }

    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        let deadline = Date().addingTimeInterval(10)
        while !stopped.load(ordering: .sequentiallyConsistent), Date() < deadline { usleep(10_000) }
    }

    /// The key of a quota CloudEvent's value, or nil for anything else.
    static func key(of value: UnsafeRawBufferPointer) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any],
              let data = object["data"] as? [String: Any],
              let customer = data["customer"] as? String, let feature = data["feature"] as? String,
              let periodStart = data["periodStart"] as? String, let threshold = (data["threshold"] as? NSNumber)?.doubleValue,
              let startMillis = epochMillis(ofRFC3339: periodStart)
        else { return nil }
        return key(customer: customer, feature: feature, periodStartMillis: startMillis, threshold: threshold)
    }

    static func key(customer: String, feature: String, periodStartMillis: Int64, threshold: Double) -> String {
        "\(customer)|\(feature)|\(periodStartMillis)|\(Int(threshold))"
    }

    /// Epoch milliseconds of the whole seconds of `yyyy-MM-ddTHH:mm:ss…` in UTC (fractions ignored).
    static func epochMillis(ofRFC3339 text: String) -> Int64? {
        let digits = Array(text.utf8)
        guard digits.count >= 19 else { return nil }
        func field(_ from: Int, _ length: Int) -> Int? { Int(String(decoding: digits[from..<(from + length)], as: UTF8.self)) }
        guard let year = field(0, 4), let month = field(5, 2), let day = field(8, 2),
              let hour = field(11, 2), let minute = field(14, 2), let second = field(17, 2) else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Int64(((days * 24 + hour) * 60 + minute) * 60 + second) * 1_000
    }
}
