import Benchmark
import FoundationBaseline
import KongTraffic
import MeterdCore

// Throughput and mallocs per event (scalingFactor .kilo: each inner loop is
// 1,000 events, so scaled malloc counts read per event) of the input stage.
let benchmarks: @Sendable () -> Void = {
    var generator = KongTrafficGenerator(seed: 2024)
    let records = generator.records(count: 1_000)
    guard let extractor = try? UsageExtractor(configuration: BenchmarkConfiguration.meterd) else { return }
    let configuration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(5)
    )

    Benchmark("UsageExtractor.extract (Kong, 40% AI)", configuration: configuration) { benchmark in
        for index in benchmark.scaledIterations {
            blackHole(extractor.extract(value: records[index % records.count], recordTimestampMillis: 0))
        }
    }

    Benchmark("Foundation JSONSerialization baseline", configuration: configuration) { benchmark in
        var totals = UsageTotals()
        for index in benchmark.scaledIterations {
            FoundationDecoder.add(records[index % records.count], to: &totals)
        }
        blackHole(totals)
    }
}
