import Synchronization

/// Counters and gauges of one processor, published by the processing thread
/// and read by `/metrics`, `/readyz` and the demo without blocking it.
public struct PipelineCounters: Sendable, Equatable {
    /// Input records read, by topic.
    public var recordsIn: [String: Int] = [:]
    /// Records produced, by topic.
    public var recordsOut: [String: Int] = [:]
    /// Dead letters by reason.
    public var deadLetters: [String: Int] = [:]
    /// Events with tokens but no matching price, by cost meter.
    public var unpricedEvents: [String: Int] = [:]
    /// Duplicate events dropped by dedupe.
    public var dedupedEvents = 0
    /// Repartitioned copies skipped because their origin was already applied.
    public var replayedCopiesSkipped = 0
    /// Records re-read by an ops replay outside the windows it rebuilds.
    public var replaySkippedEvents = 0
    /// Events accepted into an already emitted window.
    public var lateEvents = 0
    /// Transactions aborted (and state rewound).
    public var aborts = 0
    /// Cumulative commit-latency histogram: counts per upper bound of
    /// `PipelineCounters.commitLatencyBounds` (+Inf last), and the sum.
    public var commitLatencyBuckets: [Int] = Array(repeating: 0, count: PipelineCounters.commitLatencyBounds.count + 1)
    public var commitLatencySum: Double = 0
    /// Times an input or changelog position fell out of retention.
    public var dataLossEvents = 0
    /// Open windows and approximate state bytes per repartition partition.
    public var openWindows: [Int32: Int] = [:]
    public var stateBytes: [Int32: Int] = [:]
    /// Changelog records read by restores, and partitions restored.
    public var restoredRecords = 0
    public var restoredPartitions = 0
    /// Lag per assigned partition ("topic[p]" → records behind the high watermark).
    public var lag: [String: Int64] = [:]
    /// Greatest event time (epoch ms) stage 1 decoded per assigned input
    /// partition ("topic[p]"): how far apart in event time the partitions
    /// are read; a spread beyond the grace makes the slower ones' events late.
    public var inputEventTimeMillis: [String: Int64] = [:]
    /// Stream time (epoch ms) per aggregation partition.
    public var streamTimeMillis: [Int32: Int64] = [:]
    /// Assigned partitions, and whether every one is restored and running.
    public var assigned: [String] = []
    public var ready = false
    /// Epoch ms of the last commit.
    public var lastCommitMillis: Int64?

    /// Transactions committed: every commit is recorded in the histogram.
    public var commits: Int { commitLatencyBuckets.reduce(0, +) }

    public static let commitLatencyBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public init() {}

    mutating func recordCommit(seconds: Double) {
        let index = Self.commitLatencyBounds.firstIndex { seconds <= $0 } ?? Self.commitLatencyBounds.count
        commitLatencyBuckets[index] += 1
        commitLatencySum += seconds
    }
}

/// The shared, lock-protected copy of a processor's counters, or the
/// combined view of the processors of one process (`meterd run --threads`).
public final class PipelineStats: Sendable {
    private let state = Mutex(PipelineCounters())
    private let members: [PipelineStats]

    public init() {
        members = []
    }

    /// Sums the counters of `members`; ready when every one of them is.
    public init(combining members: [PipelineStats]) {
        self.members = members
    }

    public var snapshot: PipelineCounters {
        members.isEmpty ? state.withLock { $0 } : PipelineCounters(combining: members.map(\.snapshot))
    }

    func publish(_ counters: PipelineCounters) {
        state.withLock { $0 = counters }
    }
}

extension PipelineCounters {
    /// The counters of several processors of one process: sums, and the
    /// union of their (disjoint) partitions.
    public init(combining parts: [PipelineCounters]) {
        self.init()
        func add<Key>(_ into: inout [Key: Int], _ from: [Key: Int]) {
            into.merge(from, uniquingKeysWith: +)
        }
        for part in parts {
            add(&recordsIn, part.recordsIn)
            add(&recordsOut, part.recordsOut)
            add(&deadLetters, part.deadLetters)
            add(&unpricedEvents, part.unpricedEvents)
            dedupedEvents += part.dedupedEvents
            replayedCopiesSkipped += part.replayedCopiesSkipped
            replaySkippedEvents += part.replaySkippedEvents
            lateEvents += part.lateEvents
            aborts += part.aborts
            for index in commitLatencyBuckets.indices where index < part.commitLatencyBuckets.count {
                commitLatencyBuckets[index] += part.commitLatencyBuckets[index]
            }
            commitLatencySum += part.commitLatencySum
            dataLossEvents += part.dataLossEvents
            openWindows.merge(part.openWindows, uniquingKeysWith: +)
            stateBytes.merge(part.stateBytes, uniquingKeysWith: +)
            restoredRecords += part.restoredRecords
            restoredPartitions += part.restoredPartitions
            lag.merge(part.lag, uniquingKeysWith: max)
            inputEventTimeMillis.merge(part.inputEventTimeMillis, uniquingKeysWith: max)
            streamTimeMillis.merge(part.streamTimeMillis, uniquingKeysWith: max)
            assigned += part.assigned
            lastCommitMillis = [lastCommitMillis, part.lastCommitMillis].compactMap { $0 }.max()
        }
        assigned.sort()
        ready = !parts.isEmpty && parts.allSatisfy(\.ready)
    }
}
