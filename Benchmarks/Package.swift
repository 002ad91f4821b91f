// swift-tools-version:6.2
import Foundation
import PackageDescription

/// The root package's identity is its directory name (SwiftPM's rule for
/// path dependencies), which differs between checkouts and worktrees.
let meterd = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

/// Benchmarks of meterd's hot paths, kept out of the root package so its
/// users never resolve the benchmark toolchain.
let package = Package(
    name: "meterd-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/ordo-one/malloc-interposer", from: "1.6.1"),
    ],
    targets: [
        // Seeded Kong traffic and the benchmark configuration; reusable by later benchmarks (aggregation).
        .target(
            name: "KongTraffic",
            dependencies: [.product(name: "MeterdCore", package: meterd)],
            swiftSettings: [.treatAllWarnings(as: .error)]
        ),
        .target(
            name: "FoundationBaseline",
            dependencies: ["KongTraffic", .product(name: "MeterdCore", package: meterd)],
            swiftSettings: [.treatAllWarnings(as: .error)]
        ),
        .executableTarget(
            name: "extract-throughput",
            dependencies: ["KongTraffic", "FoundationBaseline", .product(name: "MeterdCore", package: meterd)],
            swiftSettings: [.treatAllWarnings(as: .error)]
        ),
        // Stage 2 as the runtime drives it (route, ingest, flush, encode), minus Kafka.
        .target(
            name: "PipelineHarness",
            dependencies: ["KongTraffic", .product(name: "MeterdCore", package: meterd)],
            swiftSettings: [.treatAllWarnings(as: .error)]
        ),
        .executableTarget(
            name: "pipeline-throughput",
            dependencies: [
                "KongTraffic", "FoundationBaseline", "PipelineHarness",
                .product(name: "MeterdCore", package: meterd),
                // MallocHugePages only: the process runs with malloc's settings as `meterd run` does.
                .product(name: "MeterdKafka", package: meterd),
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
            ],
            swiftSettings: [.treatAllWarnings(as: .error)]
        ),
        // `meterd run` end to end on the embedded broker, next to the raw librdkafka consume rate.
        .executableTarget(
            name: "pipeline-e2e",
            dependencies: [
                "KongTraffic",
                .product(name: "MeterdCore", package: meterd),
                .product(name: "MeterdKafka", package: meterd),
            ],
            swiftSettings: [.treatAllWarnings(as: .error)]
        ),
        .executableTarget(
            name: "InputExtraction",
            dependencies: [
                "KongTraffic",
                "FoundationBaseline",
                .product(name: "MeterdCore", package: meterd),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/InputExtraction",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
