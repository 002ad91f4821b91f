import KongTraffic
import MeterdCore

/// What the pipeline did, and a running hash of every output record, so two
/// runs over the same events can be shown to produce the same bytes.
public struct PipelineCounters: Equatable, CustomStringConvertible {
    public var events = 0
    public var accepted = 0
    public var duplicates = 0
    public var rejected = 0
    public var rollups = 0
    public var quotaEvents = 0
    public var outputBytes = 0
    public var outputHash: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    public var description: String {
        "events=\(events) accepted=\(accepted) duplicates=\(duplicates) rejected=\(rejected) rollups=\(rollups) quota=\(quotaEvents) outputBytes=\(outputBytes) hash=\(String(outputHash, radix: 16))"
    }

    mutating func add(_ record: OutputRecord) {
        outputBytes += record.key.count + record.value.count
        // Word-wise, so the check costs little next to the encoding; the order of outputs is part of it.
        hash(UInt64(record.key.count))
        hashWords(record.key)
        hash(UInt64(record.value.count))
        hashWords(record.value)
    }

    private mutating func hashWords(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset + 8 <= raw.count {
                hash(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            while offset < raw.count {
                hash(UInt64(raw[offset]))
                offset += 1
            }
        }
    }

    private mutating func hash(_ value: UInt64) {
        outputHash = (outputHash ^ value) &* 0x0000_0100_0000_01B3
        outputHash ^= outputHash >> 29
    }
}

/// Stage 2 of meterd as the runtime drives it, minus Kafka: route each usage
/// record to the aggregator of its customer's partition, ingest, encode quota
/// events at once, and every `commitEvery` records flush every partition,
/// encode the rollups and take the changelog records (what a transaction
/// commit does).
public struct MeteringPipeline {
    public private(set) var aggregators: [PartitionAggregator]
    public private(set) var counters = PipelineCounters()
    /// Changelog records and bytes (keys and values) taken at commits; not
    /// part of the output hash.
    public private(set) var changelogRecords = 0
    public private(set) var changelogBytes = 0
    /// Whether commits take the state changes (off for the warm-up, whose
    /// state is snapshotted instead).
    public var takesStateChanges = true
    public let commitEvery: Int
    private let encoder: CloudEventEncoder
    private var sinceCommit = 0

    public init(compiled: CompiledConfiguration, commitEvery: Int = 1_000) {
        aggregators = (0..<PipelineConfiguration.partitionCount).map { _ in PartitionAggregator(compiled: compiled) }
        encoder = CloudEventEncoder(appId: compiled.configuration.appId)
        self.commitEvery = commitEvery
    }

    /// Restores every partition from `snapshots` (one per partition).
    public init(compiled: CompiledConfiguration, snapshots: [[UInt8]], commitEvery: Int = 1_000) throws {
        aggregators = try snapshots.map { try PartitionAggregator(compiled: compiled, snapshot: $0) }
        encoder = CloudEventEncoder(appId: compiled.configuration.appId)
        self.commitEvery = commitEvery
    }

    public func snapshots() -> [[UInt8]] { aggregators.map { $0.snapshot() } }

    /// One decoded input record (nil: rejected by the decoder).
    public mutating func process(_ usage: UsageRecord?) {
        if let usage { process(usage) } else { processRejected() }
    }

    /// One input record the decoder rejected.
    public mutating func processRejected() {
        counters.events += 1
        counters.rejected += 1
        countTowardCommit()
    }

    /// One decoded input record, borrowed: a stage-1 style caller passes the
    /// record it decodes every event into, without copying it into an optional.
    public mutating func process(_ usage: borrowing UsageRecord) {
        counters.events += 1
        let partition = PipelineConfiguration.partition(ofCustomer: usage.customer)
        switch aggregators[partition].ingest(usage) {
        case .accepted(let quotaEvents):
            counters.accepted += 1
            for event in quotaEvents {
                counters.quotaEvents += 1
                counters.add(encoder.encode(event))
            }
        case .duplicate, .alreadyCounted:
            counters.duplicates += 1
        case .rejected:
            counters.rejected += 1
        }
        countTowardCommit()
    }

    private mutating func countTowardCommit() {
        sinceCommit += 1
        if sinceCommit >= commitEvery { commit() }
    }

    /// Flushes every partition, encodes the rollups and takes the state changes.
    public mutating func commit() {
        sinceCommit = 0
        for partition in aggregators.indices {
            for rollup in aggregators[partition].flush() {
                counters.rollups += 1
                counters.add(encoder.encode(rollup))
            }
            guard takesStateChanges else { continue }
            let changes = aggregators[partition].takeStateChanges()
            changelogBytes += changes.header.count
            for record in changes.records {
                changelogRecords += 1
                changelogBytes += record.key.count + (record.value?.count ?? 0)
            }
        }
    }

    /// Sum of the partitions' state sizes.
    public var stateSize: PipelineStateSize {
        var total = PipelineStateSize()
        for aggregator in aggregators {
            let size = aggregator.stateSize
            total.openWindows += size.openWindows
            total.rollupGroups += size.rollupGroups
            total.dedupeEntries += size.dedupeEntries
            total.quotaPeriods += size.quotaPeriods
            total.approximateBytes += size.approximateBytes
        }
        return total
    }
}

/// `AggregatorStateSize` summed over the partitions.
public struct PipelineStateSize {
    public var openWindows = 0
    public var rollupGroups = 0
    public var dedupeEntries = 0
    public var quotaPeriods = 0
    public var approximateBytes = 0
}
