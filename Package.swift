// swift-tools-version:6.2
import PackageDescription

/// Settings every Swift target of meterd shares: Swift 6 language mode (strict
/// concurrency is implied) and no warnings.
let strictSettings: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
]

/// The per-record loop of `meterd run` (`Processor`, `KafkaConsumer.consumeBatch`)
/// mutates properties of thread-confined classes for every record; release
/// builds skip the runtime's dynamic exclusivity checks on them
/// (swift_beginAccess: ~1.2% of meterd's CPU in a perf profile of a backlog
/// run). Compile-time exclusivity checking stays; debug builds and tests keep
/// the dynamic checks too.
let hotPathSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "meterd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "meterd", targets: ["meterd"]),
        .library(name: "MeterdCore", targets: ["MeterdCore"]),
        .library(name: "MeterdKafka", targets: ["MeterdKafka"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "Crdkafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"]), .brew(["librdkafka"])]
        ),
        /// SSE2 byte-class scans for MeterdCore's JSON scanner (pure C, no I/O).
        .target(name: "CMeterdSIMD"),
        .target(
            name: "MeterdCore",
            dependencies: ["CMeterdSIMD"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "MeterdConfig",
            dependencies: [
                "MeterdCore",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "MeterdKafka",
            dependencies: [
                "Crdkafka",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings + hotPathSettings
        ),
        .target(
            name: "MeterdPipeline",
            dependencies: [
                "MeterdCore",
                "MeterdKafka",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings + hotPathSettings
        ),
        .executableTarget(
            name: "meterd",
            dependencies: [
                "MeterdCore",
                "MeterdConfig",
                "MeterdKafka",
                "MeterdPipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MeterdCoreTests",
            dependencies: ["MeterdCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MeterdConfigTests",
            dependencies: ["MeterdConfig", "MeterdCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MeterdPipelineTests",
            dependencies: ["MeterdPipeline", "MeterdCore", "MeterdKafka"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MeterdKafkaTests",
            dependencies: ["MeterdKafka"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "MeterdKafka", "meterd", "MeterdCore", "MeterdConfig", "MeterdPipeline",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
