import FoundationBaseline
import KongTraffic
import MallocInterposerSwift
import MeterdCore
import MeterdKafka
import PipelineHarness

#if canImport(Glibc)
import Glibc
#endif

// Release-mode throughput of meterd's core pipeline on one core:
// UsageExtractor.extract → route by customer → PartitionAggregator.ingest
// (6 partitions) → a commit every 20,000 records (flush, CloudEventEncoder
// and takeStateChanges: the changelog records of a commit), in steady
// state, against the same pipeline behind a Foundation JSONSerialization
// decoder and a naive all-Foundation pipeline, on the same events.
// `meterd run` commits every commitInterval (100 ms in SPEC's example), so
// 20,000 records is one commit per 100 ms at 200,000 events/s; each commit
// re-encodes every changed window, so its cost per event falls as commits
// cover more records (`--commit-every 1000` is the setting before session 6).
//   swift run -c release pipeline-throughput [--warmup N] [--events N] [--baseline-events N] [--naive-events N] [--meterd-only]
//                                            [--commit-every N]  (records per commit; default 20,000)
//                                            [--changelog 0]  (0: commits do not take the state changes)
//                                            [--repartition 1]  (1: the measured segment goes through the repartition
//                                                                 hop, UsageRecordCodec encode → bytes → decode, as
//                                                                 stage 1 → stage 2 of `meterd run` do)

// Malloc as `meterd run` sets it up (huge pages where the kernel wants them requested);
// `GLIBC_TUNABLES=glibc.malloc.hugetlb=0` measures without.
MallocHugePages.restartIfWorthwhile()
MallocTrim.keepFreedMemory()

var options: [String: Int] = ["--commit-every": 20_000, "--changelog": 1, "--repartition": 0, "--warmup": 4_500_000, "--events": 1_000_000, "--baseline-events": 60_000, "--naive-events": 60_000]
var meterdOnly = false
var argumentIndex = 1
while argumentIndex < CommandLine.arguments.count {
    let name = CommandLine.arguments[argumentIndex]
    if name == "--meterd-only" {
        meterdOnly = true
    } else if options[name] != nil, argumentIndex + 1 < CommandLine.arguments.count, let value = Int(CommandLine.arguments[argumentIndex + 1]) {
        options[name] = value
        argumentIndex += 1
    } else {
        print("unknown argument \(name)")
        exit(64)
    }
    argumentIndex += 1
}
let warmup = options["--warmup"] ?? 0
let measured = options["--events"] ?? 0
let baselineCount = min(options["--baseline-events"] ?? 0, measured)
let naiveCount = options["--naive-events"] ?? 0
let takesStateChanges = options["--changelog"] != 0
let commitEvery = max(1, options["--commit-every"] ?? 20_000)
let throughRepartition = options["--repartition"] != 0

let configuration = PipelineConfiguration.meterd
let compiled = CompiledConfiguration(configuration)
let extractor: UsageExtractor
do {
    extractor = try UsageExtractor(configuration: configuration)
} catch {
    print("configuration error: \(error)")
    exit(1)
}
var stream = PipelineStream(seed: 7, consumerCount: PipelineConfiguration.consumerCount)
var hop = RepartitionHop(extractor: extractor)

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Allocation counts of `body` (zero when the interposer is not loaded).
@MainActor func counted(_ body: () -> Void) -> (seconds: Double, mallocs: Int, bytes: Int) {
    MallocInterposerSwift.initialize()
    MallocInterposerSwift.hook()
    let start = now()
    body()
    let seconds = now() - start
    MallocInterposerSwift.unhook()
    let statistics = MallocInterposerSwift.getStatistics()
    return (seconds, statistics.mallocCount, statistics.mallocBytesCount)
}

/// The measured loop's state (the text cache and the reused record of one thread).
var loop = MeterdLoop(extractor: extractor)

@MainActor func runMeterd(_ pipeline: inout MeteringPipeline, _ range: Range<Int>) {
    loop.run(&pipeline, range, stream: &stream)
}

func row(_ name: String, events: Int, _ result: (seconds: Double, mallocs: Int, bytes: Int)) -> Double {
    let rate = Double(events) / result.seconds
    let perEvent = Double(events)
    let mallocs = (Double(result.mallocs) / perEvent * 10).rounded() / 10
    let bytes = Int((Double(result.bytes) / perEvent).rounded())
    print("\(name): \(Int(rate)) events/s, \(mallocs) mallocs/event, \(bytes) bytes allocated/event (\(events) events, \((result.seconds * 1000).rounded() / 1000) s)")
    return rate
}

print("malloc huge pages (glibc.malloc.hugetlb=1): \(MallocHugePages.isRequested ? "on" : "off")")
print("events: ~\(stream.averageRecordBytes) bytes, \(PipelineConfiguration.customerCount) customers, \(PipelineConfiguration.partitionCount) partitions, 1,000 events/s of event time; a commit every \(commitEvery) records")

// Warm-up to steady state (past windowEnd + grace + allowedLateness), then snapshot.
var warm = MeteringPipeline(compiled: compiled)
warm.takesStateChanges = false
let warmStart = now()
runMeterd(&warm, 0..<warmup)
warm.commit()
let warmSeconds = now() - warmStart
print("warm-up: \(warmup) events in \(Int(warmSeconds)) s (\(Int(Double(warmup) / warmSeconds)) events/s incl. state growth); \(warm.counters)")
let state = warm.stateSize
print("state: \(state.openWindows) customer windows, \(state.rollupGroups) rollups, \(state.dedupeEntries) dedupe entries, \(state.quotaPeriods) quota periods, ~\(state.approximateBytes / 1_000_000) MB")
let snapshots = warm.snapshots()
warm = MeteringPipeline(compiled: compiled)

func restored() -> MeteringPipeline {
    do {
        var pipeline = try MeteringPipeline(compiled: compiled, snapshots: snapshots, commitEvery: commitEvery)
        pipeline.takesStateChanges = takesStateChanges
        return pipeline
    } catch {
        print("restore failed: \(error)")
        exit(1)
    }
}

// meterd: the measured segment, checkpointing the counters where the baseline stops.
var meterd = restored()
var meterdAtBaseline = PipelineCounters()
// For a profiler of the measured segment only: with BENCH_PERF_CONTROL=FIFO,
// `perf record -D -1 --control fifo:FIFO` is told to enable before it and
// to disable after it.
let perfControl = getenv("BENCH_PERF_CONTROL").map { String(cString: $0) }.flatMap { fopen($0, "w") }
@MainActor func tellProfiler(_ command: String) {
    guard let perfControl else { return }
    fputs(command + "\n", perfControl)
    fflush(perfControl)
}
tellProfiler("enable")
let meterdResult = counted {
    if throughRepartition {
        hop.run(&meterd, warmup..<(warmup + baselineCount), stream: &stream)
        meterdAtBaseline = meterd.counters
        hop.run(&meterd, (warmup + baselineCount)..<(warmup + measured), stream: &stream)
    } else {
        runMeterd(&meterd, warmup..<(warmup + baselineCount))
        meterdAtBaseline = meterd.counters
        runMeterd(&meterd, (warmup + baselineCount)..<(warmup + measured))
    }
}
tellProfiler("disable")
print("meterd counters: \(meterd.counters)")
print("changelog: \(meterd.changelogRecords) records, \(meterd.changelogBytes / 1_000_000) MB, \(meterd.changelogBytes / max(measured, 1)) bytes/event")
let meterdRate = row(
    throughRepartition
        ? "meterd core pipeline through the repartition hop (extract + encode + decode + route + aggregate + flush + encode)"
        : "meterd core pipeline (extract + route + aggregate + flush + encode)",
    events: measured, meterdResult
)

// Extraction alone over the same events, for reference.
var sink = 0
let extractResult = counted { sink &+= loop.extractOnly(warmup..<(warmup + measured), stream: &stream) }
_ = row("  of which UsageExtractor.extract alone", events: measured, extractResult)
if throughRepartition {
    let hopResult = counted { sink &+= hop.encodeDecodeOnly(warmup..<(warmup + measured), stream: &stream) }
    _ = row("  of which extract + UsageRecordCodec encode + decode (the hop: this less extract alone)", events: measured, hopResult)
}

if !meterdOnly {
    // Baseline 1: JSONSerialization decode + the same aggregation code path.
    var baseline = restored()
    let decoder = FoundationUsageDecoder(configuration: configuration)
    let baselineResult = counted {
        for index in warmup..<(warmup + baselineCount) {
            stream.withRecord(at: index) { bytes in baseline.process(decoder.decode(bytes)) }
        }
    }
    print("baseline counters: \(baseline.counters)")
    print("same outputs as meterd over these events: \(baseline.counters == meterdAtBaseline)")
    let baselineRate = row("Foundation decode + meterd aggregation", events: baselineCount, baselineResult)

    // Baseline 2: naive everything (from an empty state).
    var naive = NaiveAggregator(configuration: configuration)
    let naiveResult = counted {
        for (position, index) in (warmup..<(warmup + naiveCount)).enumerated() {
            stream.withRecord(at: index) { bytes in naive.add(bytes) }
            if position % commitEvery == commitEvery - 1 { naive.flush() }
        }
    }
    let naiveRate = row("naive Foundation pipeline (JSONSerialization + string-keyed dictionaries)", events: naiveCount, naiveResult)
    print("ratio vs Foundation decode + meterd aggregation: \((meterdRate / baselineRate * 10).rounded() / 10)x")
    print("ratio vs naive Foundation pipeline: \((meterdRate / naiveRate * 10).rounded() / 10)x   (naive emitted \(naive.emitted))")
    if baseline.counters != meterdAtBaseline { exit(2) }
}

var usage = rusage()
getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
print("peak RSS: \(usage.ru_maxrss / 1024) MB   (sink \(sink % 10))")
