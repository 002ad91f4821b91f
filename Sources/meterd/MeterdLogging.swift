import Foundation
import Logging

/// Process-wide logging set-up: structured `key=value` lines on stderr, so
/// stdout stays free for command output (e.g. the broker's bootstrap line).
enum MeterdLogging {
    private static let bootstrapped: Void = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            let level = ProcessInfo.processInfo.environment["METERD_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            handler.logLevel = level
            return handler
        }
    }()

    static func logger(_ label: String) -> Logger {
        _ = bootstrapped
        return Logger(label: label)
    }
}
