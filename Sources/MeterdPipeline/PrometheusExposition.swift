/// Renders a processor's counters in the Prometheus text exposition format
/// (version 0.0.4) for `/metrics`.
public enum PrometheusExposition {
    public static func render(_ c: PipelineCounters) -> String {
        var out = MetricText()
        out.family("meterd_records_in_total", "counter", "Records read, by topic.")
        for (topic, value) in c.recordsIn.sorted(by: { $0.key < $1.key }) { out.sample("meterd_records_in_total", ["topic": topic], Double(value)) }
        out.family("meterd_records_out_total", "counter", "Records produced, by topic.")
        for (topic, value) in c.recordsOut.sorted(by: { $0.key < $1.key }) { out.sample("meterd_records_out_total", ["topic": topic], Double(value)) }
        out.family("meterd_dead_letters_total", "counter", "Input records dead-lettered, by reason.")
        for (reason, value) in c.deadLetters.sorted(by: { $0.key < $1.key }) { out.sample("meterd_dead_letters_total", ["reason": reason], Double(value)) }
        out.family("meterd_unpriced_events_total", "counter", "Events with LLM tokens that no price matched, by cost meter.")
        for (meter, value) in c.unpricedEvents.sorted(by: { $0.key < $1.key }) { out.sample("meterd_unpriced_events_total", ["meter": meter], Double(value)) }
        out.single("meterd_deduplicated_events_total", "counter", "Duplicate events dropped by dedupe.", Double(c.dedupedEvents))
        out.single("meterd_replayed_copies_skipped_total", "counter", "Repartitioned copies skipped because their origin was already applied.", Double(c.replayedCopiesSkipped))
        out.single("meterd_replay_skipped_events_total", "counter", "Records re-read by an ops replay outside the windows it rebuilds (counted before).", Double(c.replaySkippedEvents))
        out.single("meterd_late_events_total", "counter", "Events accepted into an already emitted window (new revision).", Double(c.lateEvents))
        out.single("meterd_transactions_committed_total", "counter", "Kafka transactions committed.", Double(c.commits))
        out.single("meterd_transactions_aborted_total", "counter", "Kafka transactions aborted (and state rewound).", Double(c.aborts))
        out.single("meterd_data_loss_total", "counter", "Positions found deleted by retention (input or changelog).", Double(c.dataLossEvents))
        out.single("meterd_restored_changelog_records_total", "counter", "Changelog records read while restoring state.", Double(c.restoredRecords))
        out.single("meterd_restored_partitions_total", "counter", "Aggregation partitions restored from the changelog.", Double(c.restoredPartitions))
        out.single("meterd_ready", "gauge", "1 when every assigned partition is restored and running.", c.ready ? 1 : 0)
        out.single("meterd_assigned_partitions", "gauge", "Partitions assigned to this member.", Double(c.assigned.count))
        out.family("meterd_open_windows", "gauge", "Open (customer, window) states per repartition partition.")
        for (partition, value) in c.openWindows.sorted(by: { $0.key < $1.key }) { out.sample("meterd_open_windows", ["partition": "\(partition)"], Double(value)) }
        out.family("meterd_state_bytes", "gauge", "Approximate aggregation state size per repartition partition.")
        for (partition, value) in c.stateBytes.sorted(by: { $0.key < $1.key }) { out.sample("meterd_state_bytes", ["partition": "\(partition)"], Double(value)) }
        out.family("meterd_partition_lag", "gauge", "Records between the consumer position and the high watermark.")
        for (partition, value) in c.lag.sorted(by: { $0.key < $1.key }) { out.sample("meterd_partition_lag", ["partition": partition], Double(value)) }
        out.family("meterd_input_event_time_seconds", "gauge", "Greatest event time decoded from each input partition (stage 1).")
        for (partition, value) in c.inputEventTimeMillis.sorted(by: { $0.key < $1.key }) {
            out.sample("meterd_input_event_time_seconds", ["partition": partition], Double(value) / 1_000)
        }
        out.family("meterd_stream_time_seconds", "gauge", "Stream time of each aggregation partition (stage 2).")
        for (partition, value) in c.streamTimeMillis.sorted(by: { $0.key < $1.key }) {
            out.sample("meterd_stream_time_seconds", ["partition": "\(partition)"], Double(value) / 1_000)
        }
        out.family("meterd_commit_duration_seconds", "histogram", "Duration of one transaction commit.")
        var cumulative = 0
        for (index, bound) in PipelineCounters.commitLatencyBounds.enumerated() {
            cumulative += c.commitLatencyBuckets[index]
            out.sample("meterd_commit_duration_seconds_bucket", ["le": MetricText.number(bound)], Double(cumulative))
        }
        cumulative += c.commitLatencyBuckets.last ?? 0
        out.sample("meterd_commit_duration_seconds_bucket", ["le": "+Inf"], Double(cumulative))
        out.sample("meterd_commit_duration_seconds_sum", [:], c.commitLatencySum)
        out.sample("meterd_commit_duration_seconds_count", [:], Double(cumulative))
        if let last = c.lastCommitMillis {
            out.single("meterd_last_commit_timestamp_seconds", "gauge", "Wall-clock time of the last commit.", Double(last) / 1_000)
        }
        return out.text
    }
}

/// Accumulates exposition lines with escaped label values.
struct MetricText {
    var text = ""

    mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func single(_ name: String, _ type: String, _ help: String, _ value: Double) {
        family(name, type, help)
        sample(name, [:], value)
    }

    mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
        text += name
        if !labels.isEmpty {
            let rendered = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escape($0.value))\"" }
            text += "{" + rendered.joined(separator: ",") + "}"
        }
        text += " " + Self.number(value) + "\n"
    }

    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func escape(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
