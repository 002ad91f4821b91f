import ArgumentParser
import Foundation
import MeterdConfig
import MeterdCore
import MeterdKafka
import MeterdPipeline
import Logging

/// `meterd replay -c … --from T [--to T] [--dry-run]`: with the group
/// stopped, rewinds the inputs to event time T and has the next `meterd
/// run` rebuild the affected windows, re-emitting them with higher revisions.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rewind the inputs to a time and rebuild the affected windows (the group must be stopped).",
        discussion: """
        Times are RFC 3339 (2026-11-22T10:00:00Z), epoch milliseconds, or now-<duration> (now-1h).
        The plan is printed first; with --dry-run nothing changes. After a replay, start the group
        (meterd run): it re-reads the inputs from --from, rebuilds the windows in range and emits
        their rollups again with revisions above every earlier one. Quota usage is not recounted.
        On the embedded broker, which cannot list group members, the group counts as active when
        it committed within --idle-for.
        """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "Event time to replay from.")
    var from: String

    @Option(name: .long, help: "Event time after which windows are left as they are (default: now).")
    var to: String?

    @Flag(name: .long, help: "Print the plan and change nothing.")
    var dryRun = false

    @Option(name: .long, help: "Embedded broker only: how long the group must have been silent to count as stopped.")
    var idleFor: String = "30s"

    func run() async throws {
        let nowMillis = Int64(Date().timeIntervalSince1970 * 1000)
        let fromMillis = try Self.time(from, option: "--from", now: nowMillis)
        let untilMillis = try to.map { try Self.time($0, option: "--to", now: nowMillis) }
        if let untilMillis, untilMillis <= fromMillis { throw ValidationError("--to must be after --from") }
        let quietMillis: Int64
        do { quietMillis = try DurationParsing.millis(idleFor) } catch { throw ValidationError("--idle-for: \(error.message)") }
        let configuration = try options.load()
        let kafka = configuration.clientConfiguration
        let dryRun = dryRun
        let outcome: Result<String, ReplayError> = try await runOnDedicatedThread(name: "meterd-replay") {
            let logger = MeterdLogging.logger("meterd.replay")
            let planner = ReplayPlanner(configuration: configuration, kafka: kafka, logger: logger)
            let plan: ReplayPlan
            do {
                let membersListed = try Self.refuseIfActive(group: configuration.appId, kafka: kafka, logger: logger)
                plan = try planner.plan(fromMillis: fromMillis, untilMillis: untilMillis)
                if !membersListed, let last = plan.lastCommitMillis, nowMillis - last < quietMillis {
                    throw ReplayError("group \(configuration.appId) committed \((nowMillis - last) / 1000) s ago and the embedded broker cannot list its members: stop every `meterd run` of the group, wait \(idleFor) and retry")
                }
            } catch let error as ReplayError {
                return .failure(error)
            }
            var out = plan.summary
            if dryRun {
                out += "dry run: nothing changed\n"
            } else if plan.isEmpty {
                out += "nothing to replay: no input records or window state at or after --from\n"
            } else {
                do {
                    try planner.execute(plan)
                } catch let error as ReplayError {
                    return .failure(error)
                }
                out += "replay planned: start the group (meterd run) to rebuild; re-emitted rollups carry higher revisions\n"
            }
            return .success(out)
        }
        switch outcome {
        case .success(let text):
            print(text, terminator: "")
        case .failure(let error):
            FileHandle.standardError.write(Data("meterd replay: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// Refuses when the broker lists active members of the group.
    /// - Returns: false when the broker cannot describe groups (the embedded
    ///   broker), so the members are unknown.
    static func refuseIfActive(group: String, kafka: KafkaConfiguration, logger: Logger) throws -> Bool {
        let admin = try KafkaAdmin(configuration: kafka, logger: logger)
        let descriptions: [GroupDescription]
        do {
            descriptions = try admin.describeConsumerGroups([group])
        } catch {
            guard (error as KafkaError).name == "_UNSUPPORTED_FEATURE" else { throw error }
            return false
        }
        let members = descriptions.flatMap(\.members)
        guard members.isEmpty else {
            let names = members.map { "\($0.clientId)@\($0.host)" }.joined(separator: ", ")
            throw ReplayError("group \(group) has \(members.count) active member(s) (\(names)): stop them before replaying")
        }
        return true
    }

    /// RFC 3339, epoch milliseconds, or `now-<duration>`.
    static func time(_ text: String, option: String, now: Int64) throws -> Int64 {
        if let millis = RFC3339.parse(text) { return millis }
        if let millis = Int64(text), millis >= 0 { return millis }
        if text.hasPrefix("now-") {
            do { return now - (try DurationParsing.millis(String(text.dropFirst(4)))) } catch {
                throw ValidationError("\(option): \(error.message)")
            }
        }
        if text == "now" { return now }
        throw ValidationError("\(option): \(text) is not an RFC 3339 time (2026-11-22T10:00:00Z), epoch milliseconds or now-<duration>")
    }
}
