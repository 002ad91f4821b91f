import MeterdCore

/// What `meterd validate` prints: compiler-style problem lines for a broken
/// configuration, a short summary for a good one.
public enum ValidationReport {
    /// Result of checking one configuration file.
    public enum Verdict: Sendable {
        /// Valid: print `summary` on stdout, exit 0.
        case valid(summary: String)
        /// Invalid or unreadable: print `errors` on stderr, exit 1.
        case invalid(errors: String)
    }

    /// Reads and checks the file at `path`.
    public static func verdict(forFile path: String) -> Verdict {
        let text: String
        do throws(ConfigLoadError) {
            text = try ConfigLoader.readText(atPath: path)
        } catch {
            return .invalid(errors: "\(error)\n")
        }
        return verdict(yaml: text, file: path)
    }

    /// Checks `yaml` as if read from `file`.
    public static func verdict(yaml: String, file: String) -> Verdict {
        let outcome = ConfigLoader.check(yaml: yaml, file: file)
        guard outcome.problems.isEmpty else {
            let count = outcome.problems.count
            return .invalid(errors: render(outcome.problems) + "\(count) problem\(count == 1 ? "" : "s") in \(file)\n")
        }
        return .valid(summary: summary(of: outcome.configuration, file: file))
    }

    /// One `FILE:LINE:COLUMN: error: path: message (hint: …)` line per problem.
    public static func render(_ problems: [ConfigProblem]) -> String {
        problems.map { "\($0)\n" }.joined()
    }

    /// Meters, features, plans, customers and window settings, one line each.
    public static func summary(of config: MeterdConfiguration, file: String) -> String {
        let windows = config.windows
        let subjects = config.customers.reduce(0) { $0 + $1.subjects.count }
        var lines = ["\(file): OK"]
        lines.append("  appId \(config.appId); inputs \(config.kafka.inputTopics.joined(separator: ", ")) at \(config.kafka.bootstrap)")
        lines.append("  meters (\(config.meters.count)): " + config.meters.map { "\($0.slug) [\($0.aggregation.rawValue)]" }.joined(separator: ", "))
        lines.append("  features (\(config.features.count)): " + config.features.map(\.key).joined(separator: ", "))
        lines.append("  plans (\(config.plans.count)): " + (config.plans.isEmpty ? "none" : "") + config.plans.keys.sorted().map { name in
            "\(name) [\(config.plans[name]?.rules.count ?? 0) quota\(config.plans[name]?.rules.count == 1 ? "" : "s")]"
        }.joined(separator: ", "))
        let customerPrices = config.customers.filter { !$0.prices.isEmpty }.count
        if !config.prices.models.isEmpty || customerPrices > 0 {
            lines.append("  prices (\(config.prices.currency)): \(config.prices.models.count) model\(config.prices.models.count == 1 ? "" : "s")"
                + (customerPrices > 0 ? ", negotiated prices for \(customerPrices) customer\(customerPrices == 1 ? "" : "s")" : ""))
        }
        lines.append("  customers (\(config.customers.count), \(subjects) subjects; unknown subjects: \(config.unknownSubjects.rawValue))")
        lines.append("  windows: size \(DurationParsing.format(millis: windows.sizeMillis)), grace \(DurationParsing.format(millis: windows.graceMillis)), "
            + "allowedLateness \(DurationParsing.format(millis: windows.allowedLatenessMillis)), idleTimeout \(DurationParsing.format(millis: windows.idleTimeoutMillis)); "
            + "commitInterval \(DurationParsing.format(millis: config.commitIntervalMillis))")
        lines.append("  outputs: rollups \(config.outputs.rollups), quota \(config.outputs.quota), dlq \(config.outputs.dlq)")
        return lines.joined(separator: "\n") + "\n"
    }
}
