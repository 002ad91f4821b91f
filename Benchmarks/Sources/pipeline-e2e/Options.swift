import Foundation

/// Command-line options of `pipeline-e2e`.
struct Options {
    var meterd = "../.build/release/meterd"
    var events = 1_000_000
    var inputPartitions = 128
    var internalPartitions = 64
    var timeoutSeconds = 480.0
    var benchmarksFile = "../BENCHMARKS.md"
    var writeBenchmarks = true
    var logDirectory = "/tmp/pipeline-e2e"
    /// `commitInterval` of the generated meterd configuration.
    var commitInterval = "100ms"

    /// `--suite compare` (`make bench`): meterd next to Quix Streams, a hand-written
    /// loop and the raw consume rate, plus latency, scaling and restore.
    var suite = "e2e"
    /// Directory of quix_app.py and handloop.py.
    var benchDirectory = "../bench"
    /// The venv's python with quixstreams, confluent-kafka and orjson.
    var python = "../bench/.cache/venv/bin/python"
    /// Directory holding the bench-only librdkafka.so.1 (larger mock partition limits) for the broker.
    var brokerLibrary: String?
    var scaleEvents = 300_000
    var latencyRate = 5_000
    var latencySeconds = 20
    /// Commit interval of every contender in the latency phase (the throughput phase uses `commitInterval`).
    var latencyCommitInterval = "100ms"
    var skipQuix = false
    /// Stop after the throughput phase (no latency, scaling or restore phases; BENCHMARKS.md untouched).
    var throughputOnly = false
    /// `meterd run --threads` of the compared meterd process.
    var meterdThreads = 1
    /// `meterd run --split-stages` (with `--meterd-threads` 2 or more).
    var meterdSplitStages = false
    /// Runs of meterd (the median is reported): in the throughput phase of `--suite compare`, and in the plain benchmark.
    var repetitions = 3
    /// Extra librdkafka properties for the measured `meterd run` (`--meterd-property key=value`, repeatable):
    /// tuning experiments without editing the generated configuration.
    var meterdProperties: [String: String] = [:]

    static let usage = """
    usage: pipeline-e2e [--meterd PATH] [--events N] [--input-partitions N] [--internal-partitions N]
                        [--timeout SECONDS] [--benchmarks-file PATH] [--no-write] [--logs DIR]
                        [--commit-interval DURATION] [--broker-lib DIR] [--meterd-threads N]
                        [--meterd-split-stages] [--repetitions N] [--meterd-property KEY=VALUE]...
           pipeline-e2e --suite compare [--events N] [--commit-interval DURATION] [--broker-lib DIR]
                        [--python PATH] [--bench-dir DIR] [--scale-events N] [--latency-rate N]
                        [--latency-seconds N] [--latency-commit-interval DURATION] [--skip-quix] [--throughput-only] [--meterd-threads N]
                        [--meterd-split-stages]
                        [--repetitions N]
    """

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var index = 0
        func value() throws -> String {
            index += 1
            guard index < arguments.count else { throw BenchError("\(arguments[index - 1]) needs a value\n\(usage)") }
            return arguments[index]
        }
        func number() throws -> Int {
            let text = try value()
            guard let number = Int(text.replacingOccurrences(of: "_", with: "")), number > 0 else {
                throw BenchError("\(arguments[index - 1]) expects a positive integer, got '\(text)'")
            }
            return number
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--meterd": options.meterd = try value()
            case "--events": options.events = try number()
            case "--input-partitions": options.inputPartitions = try number()
            case "--internal-partitions": options.internalPartitions = try number()
            case "--timeout": options.timeoutSeconds = Double(try number())
            case "--benchmarks-file": options.benchmarksFile = try value()
            case "--no-write": options.writeBenchmarks = false
            case "--logs": options.logDirectory = try value()
            case "--commit-interval": options.commitInterval = try value()
            case "--suite":
                options.suite = try value()
                guard ["e2e", "compare"].contains(options.suite) else { throw BenchError("--suite is e2e or compare, got '\(options.suite)'") }
            case "--bench-dir": options.benchDirectory = try value()
            case "--python": options.python = try value()
            case "--broker-lib": options.brokerLibrary = try value()
            case "--scale-events": options.scaleEvents = try number()
            case "--latency-rate": options.latencyRate = try number()
            case "--latency-seconds": options.latencySeconds = try number()
            case "--latency-commit-interval": options.latencyCommitInterval = try value()
            case "--skip-quix": options.skipQuix = true
            case "--throughput-only": options.throughputOnly = true
            case "--meterd-threads": options.meterdThreads = try number()
            case "--meterd-split-stages": options.meterdSplitStages = true
            case "--repetitions": options.repetitions = try number()
            case "--meterd-property":
                let pair = try value()
                guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                    throw BenchError("--meterd-property takes KEY=VALUE, got '\(pair)'")
                }
                options.meterdProperties[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            case "-h", "--help":
                print(usage)
                exit(0)
            default: throw BenchError("unknown argument \(arguments[index])\n\(usage)")
            }
            index += 1
        }
        return options
    }
}
