import FoundationBaseline
import KongTraffic
import MeterdCore

#if canImport(Glibc)
import Glibc
#endif

// Release-mode events/s of UsageExtractor.extract and of the Foundation
// baseline on the same seeded records, and their ratio, on one core.
//   swift run -c release extract-throughput [records] [rounds] [meterd-only]
// (`meterd-only` skips the baseline, for profiling.)

let arguments = CommandLine.arguments
let recordCount = arguments.count > 1 ? Int(arguments[1]) ?? 20_000 : 20_000
let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
let meterdOnly = arguments.count > 3 && arguments[3] == "meterd-only"

var generator = KongTrafficGenerator(seed: 2024)
let records = generator.records(count: recordCount)
let averageBytes = records.reduce(0) { $0 + $1.count } / records.count

let extractor: UsageExtractor
do {
    extractor = try UsageExtractor(configuration: BenchmarkConfiguration.meterd)
} catch {
    print("configuration error: \(error)")
    exit(1)
}

func seconds(_ body: () -> Void) -> Double {
    var start = timespec()
    var end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    body()
    clock_gettime(CLOCK_MONOTONIC, &end)
    return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
}

func best(_ body: () -> Void) -> Double {
    (0..<rounds).map { _ in seconds(body) }.min() ?? .infinity
}

var meterdTotals = UsageTotals()
var foundationTotals = UsageTotals()
for record in records {
    if let usage = extractor.extract(value: record, recordTimestampMillis: 0).usage { meterdTotals.add(usage) }
    FoundationDecoder.add(record, to: &foundationTotals)
}
let agree = meterdTotals == foundationTotals
print("records: \(records.count), average \(averageBytes) bytes")
print("meterd:     \(meterdTotals)")
print("foundation: \(foundationTotals)")
print("totals agree: \(agree)")

var sink = 0
// As stage 1 of `meterd run` extracts: one TextCache and one reused record per thread.
var cache = UsageExtractor.TextCache()
var extracted = UsageRecord.empty
let meterdSeconds = best {
    for record in records {
        record.withUnsafeBytes { bytes in
            var unpriced: [UnpricedUsage] = []
            let rejection = extractor.extract(
                value: bytes, headers: [], recordTimestampMillis: 0, unpriced: &unpriced, cache: &cache, into: &extracted
            )
            if rejection == nil { sink &+= extracted.samples.count }
        }
    }
}
let foundationSeconds = meterdOnly ? .infinity : best {
    var totals = UsageTotals()
    for record in records { FoundationDecoder.add(record, to: &totals) }
    sink &+= totals.records
}
let meterdRate = Double(records.count) / meterdSeconds
let foundationRate = Double(records.count) / foundationSeconds
print("UsageExtractor.extract: \(Int(meterdRate)) events/s (\(Int(meterdRate * Double(averageBytes) / 1_000_000)) MB/s)")
print("Foundation baseline:    \(Int(foundationRate)) events/s")
print("ratio: \((meterdRate / foundationRate * 10).rounded() / 10)x   (sink \(sink % 10))")
exit(agree ? 0 : 2)
