import ArgumentParser
import MeterdCore

/// Reads a duration option such as `--duration 2m` the way the configuration
/// reads durations (`DurationParsing`), as a command-line validation error.
enum DurationOption {
    static func parse(_ text: String, option: String) throws -> Duration {
        do {
            return .milliseconds(try DurationParsing.millis(text))
        } catch {
            throw ValidationError("\(option): \(error.description)\(error.hint.map { " (\($0))" } ?? "")")
        }
    }
}
