import ArgumentParser
import Foundation
import MeterdConfig

/// `meterd validate -c FILE`: checks a configuration and points at every
/// offending line, compiler style; exits 1 when anything is wrong.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a configuration file and point at the offending lines."
    )

    @Option(name: [.short, .customLong("config")], help: "The configuration file.")
    var config: String = "meterd.yaml"

    func run() throws {
        switch ValidationReport.verdict(forFile: config) {
        case .valid(let summary):
            FileHandle.standardOutput.write(Data(summary.utf8))
        case .invalid(let errors):
            FileHandle.standardError.write(Data(errors.utf8))
            throw ExitCode.failure
        }
    }
}
