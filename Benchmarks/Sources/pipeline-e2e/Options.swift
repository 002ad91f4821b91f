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

    static let usage = """
    usage: pipeline-e2e [--meterd PATH] [--events N] [--input-partitions N] [--internal-partitions N]
                        [--timeout SECONDS] [--benchmarks-file PATH] [--no-write] [--logs DIR]
                        [--commit-interval DURATION]
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
