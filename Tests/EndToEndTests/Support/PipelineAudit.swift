import Foundation
import MeterdKafka
import MeterdPipeline

/// Diagnostics for a failed oracle comparison: reads the repartition topic
/// and the changelog (everything, aborted records included) and says which
/// produced usage records never reached the repartition topic (lost by
/// stage 1), which did but arrived out of origin order (stage 2 skips those
/// as already applied), and every input position and checkpoint written.
enum PipelineAudit {
    struct Entry {
        var repartitionPartition: Int32
        var repartitionOffset: Int64
        var origin: RecordOrigin
    }

    /// A summary for the failure message; the full listing goes to
    /// `$METERD_E2E_LOG_DIR/audit-<time>.txt` when that is set.
    static func run(bootstrap: String, produced: [ProducedRecord], repartitionTopic: String = "meterd-repartition",
                    changelogTopic: String = "meterd-changelog") -> String {
        var detail = ""
        var summary = ""
        do {
            let records = try readAll(bootstrap: bootstrap, topics: [repartitionTopic, changelogTopic])
            var entries: [Entry] = []
            var undecodable = 0
            for record in records where record.topic == repartitionTopic {
                guard let value = record.value, let decoded = try? RepartitionRecord.decodeAll(value) else {
                    undecodable += 1
                    continue
                }
                for entry in decoded {
                    entries.append(Entry(repartitionPartition: record.partition, repartitionOffset: record.offset, origin: entry.origin))
                }
            }
            // Produced usage records (a subject, not rejected): each must appear at least once.
            var expected: [Int32: Set<Int64>] = [:]
            for item in produced {
                if case .usage(let event) = item.record.kind, event.subject != nil { expected[item.partition, default: []].insert(item.offset) }
            }
            var present: [Int32: Set<Int64>] = [:]
            for entry in entries { present[entry.origin.partition, default: []].insert(entry.origin.offset) }
            summary += "audit: \(entries.count) repartition entries (\(undecodable) undecodable records)\n"
            for partition in expected.keys.sorted() {
                let missing = expected[partition, default: []].subtracting(present[partition, default: []]).sorted()
                summary += "  gateway.usage[\(partition)]: \(expected[partition]?.count ?? 0) usage records, \(missing.count) never repartitioned \(ranges(missing))\n"
            }
            // Out of order: within one repartition partition, an origin below
            // the greatest origin of its input partition seen before it and
            // never seen before (stage 2's dedupe by origin skips it).
            var inversions: [String] = []
            for partition in Set(entries.map(\.repartitionPartition)).sorted() {
                var greatest: [Int32: Int64] = [:]
                var seen: Set<RecordOrigin> = []
                for entry in entries where entry.repartitionPartition == partition {
                    let origin = entry.origin
                    if let max = greatest[origin.partition], origin.offset <= max, !seen.contains(origin) {
                        inversions.append("repartition[\(partition)]@\(entry.repartitionOffset): origin gateway.usage[\(origin.partition)]@\(origin.offset) after @\(max)")
                    }
                    greatest[origin.partition] = Swift.max(greatest[origin.partition] ?? -1, origin.offset)
                    seen.insert(origin)
                }
            }
            summary += "  \(inversions.count) first copies below an origin already seen in their repartition partition\n"
            summary += inversions.prefix(20).map { "    " + $0 }.joined(separator: "\n") + (inversions.isEmpty ? "" : "\n")
            // The full listing.
            detail += summary + "\nrepartition entries (partition@offset: origin ranges):\n"
            var byRecord: [String: [Int64]] = [:]
            var order: [String] = []
            for entry in entries {
                let key = "repartition[\(entry.repartitionPartition)]@\(entry.repartitionOffset) from gateway.usage[\(entry.origin.partition)]"
                if byRecord[key] == nil { order.append(key) }
                byRecord[key, default: []].append(entry.origin.offset)
            }
            for key in order { detail += "\(key): \(ranges(byRecord[key] ?? []))\n" }
            detail += "\nchangelog input positions and checkpoints:\n"
            for record in records where record.topic == changelogTopic {
                guard let decoded = try? ChangelogRecord(key: record.key, value: record.value) else { continue }
                switch decoded {
                case .inputPosition(let topic, let partition, let next, let replayed):
                    detail += "changelog[\(record.partition)]@\(record.offset): input \(topic)[\(partition)] next=\(next) replayedThrough=\(replayed.map(String.init) ?? "-")\n"
                case .checkpoint(let checkpoint):
                    let origins = checkpoint.appliedOrigins.sorted { $0.key.partition < $1.key.partition }.map { "\($0.key.partition):\($0.value)" }.joined(separator: ",")
                    detail += "changelog[\(record.partition)]@\(record.offset): checkpoint next=\(checkpoint.nextOffset) applied=[\(origins)] refresh=\(checkpoint.isFullRefresh)\n"
                case .state:
                    break
                }
            }
        } catch {
            summary += "audit failed: \(error)\n"
        }
        if let directory = ProcessInfo.processInfo.environment["METERD_E2E_LOG_DIR"], !directory.isEmpty {
            let path = "\(directory)/audit-\(String(format: "%.3f", Date().timeIntervalSince1970)).txt"
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try? detail.write(toFile: path, atomically: true, encoding: .utf8)
            summary += "  full audit: \(path)\n"
        }
        return summary
    }

    private static func readAll(bootstrap: String, topics: [String]) throws -> [ConsumedRecord] {
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(bootstrap: bootstrap, ["isolation.level": "read_uncommitted", "auto.offset.reset": "earliest"]),
            logger: PipelineCluster.quietLogger
        )
        defer { try? consumer.close() }
        let counts = try consumer.topicPartitionCounts(timeoutMillis: 10_000)
        var start: [TopicPartition: Int64] = [:]
        var ends: [TopicPartition: Int64] = [:]
        for topic in topics {
            for partition in 0..<Int32(counts[topic] ?? 0) {
                let tp = TopicPartition(topic, partition)
                start[tp] = KafkaOffset.beginning
                let marks = try consumer.watermarks(tp, timeoutMillis: 10_000)
                if marks.high > marks.low { ends[tp] = marks.high }
            }
        }
        try consumer.assign(start)
        var records: [ConsumedRecord] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while !ends.isEmpty, ContinuousClock.now < deadline {
            guard case .record(let record)? = consumer.poll(timeoutMillis: 100) else { continue }
            records.append(record)
            let tp = TopicPartition(record.topic, record.partition)
            if let end = ends[tp], record.offset + 1 >= end { ends[tp] = nil }
        }
        return records.sorted { ($0.topic, $0.partition, $0.offset) < ($1.topic, $1.partition, $1.offset) }
    }

    /// "[a-b, c, …]" for sorted offsets.
    static func ranges(_ offsets: [Int64]) -> String {
        var parts: [String] = []
        var index = 0
        while index < offsets.count {
            var end = index
            while end + 1 < offsets.count, offsets[end + 1] == offsets[end] + 1 { end += 1 }
            parts.append(end == index ? "\(offsets[index])" : "\(offsets[index])-\(offsets[end])")
            index = end + 1
        }
        return "[" + parts.joined(separator: ", ") + "]"
    }
}
