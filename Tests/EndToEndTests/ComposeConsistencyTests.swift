import Foundation
import MeterdConfig
import MeterdPipeline
import Testing
import Yams

/// docker-compose.yml, the Dockerfile and deploy/ cannot be run here (no
/// Docker engine), so they are kept true to the code by checks: commands
/// and options the real binary accepts, configurations that validate,
/// topics equal to topics/, Prometheus scraping the members' metrics port,
/// alert rules using metrics meterd serves, and a Dockerfile that builds
/// the `meterd` product.
@Suite("docker-compose.yml, Dockerfile and deploy/ match the code", .serialized, .timeLimit(.minutes(2)))
struct ComposeConsistencyTests {
    let compose: ComposeFile
    let dockerfile: Dockerfile

    init() throws {
        compose = try ComposeFile(yaml: Repository.text("docker-compose.yml"))
        dockerfile = Dockerfile(text: try Repository.text("Dockerfile"))
    }

    /// The value following `option` in `words`.
    private func value(of option: String, in words: [String]) -> String? {
        guard let index = words.firstIndex(of: option), index + 1 < words.count else { return nil }
        return words[index + 1]
    }

    /// The option names (`-c`, `--config`, …) `meterd <subcommand> --help`
    /// lists, or nil when a word of `subcommand` is not a subcommand there.
    private func acceptedOptions(_ subcommand: [String]) async throws -> Set<String>? {
        for depth in subcommand.indices {
            let parent = try await helpText(Array(subcommand[..<depth]))
            let listed = parent.split(separator: "\n").drop { !$0.hasPrefix("SUBCOMMANDS:") }.dropFirst()
                .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }.compactMap { $0.split(separator: " ").first.map(String.init) }
            guard listed.contains(subcommand[depth]) else { return nil }
        }
        let text = try await helpText(subcommand)
        let expression = try NSRegularExpression(pattern: #"(?<![\w-])(--?[A-Za-z][A-Za-z0-9-]*)"#)
        let matches = expression.matches(in: text, range: NSRange(text.startIndex..., in: text))
        return Set(matches.compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } })
    }

    /// `meterd <words> --help`, which exits 0 and ends with the -h, --help line.
    private func helpText(_ words: [String]) async throws -> String {
        let help = try MeterdProcess(words + ["--help"])
        let status = try await help.waitForExit(timeout: .seconds(30))
        guard status == 0 else { throw E2EFailure("meterd \(words.joined(separator: " ")) --help exited \(status)") }
        // The pipe reader may still be draining after the exit; help always ends with -h, --help.
        let deadline = ContinuousClock.now + .seconds(5)
        while !help.stdoutLines.contains(where: { $0.contains("--help") }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return help.stdoutLines.joined(separator: "\n")
    }

    /// The leading words of `command` that name a subcommand, and its options.
    private func checkCommand(_ command: [String], of label: String) async throws {
        let subcommand = Array(command.prefix { !$0.hasPrefix("-") })
        #expect(!subcommand.isEmpty, "\(label): \(command) names no subcommand")
        guard !subcommand.isEmpty, let accepted = try await acceptedOptions(subcommand) else {
            Issue.record("\(label): meterd \(subcommand.joined(separator: " ")) is not a subcommand of the binary")
            return
        }
        for word in command.dropFirst(subcommand.count) where word.hasPrefix("-") {
            let name = String(word.prefix { $0 != "=" })
            #expect(accepted.contains(name), "\(label): meterd \(subcommand.joined(separator: " ")) has no option \(name); it accepts \(accepted.sorted())")
        }
    }

    @Test("the meterd services and the image's CMD use subcommands and options the binary accepts")
    func commandsUseRealOptions() async throws {
        #expect(compose.meterdServices.count >= 2, "compose runs several members of one group")
        for service in compose.meterdServices {
            #expect(service.entrypoint.isEmpty, "\(service.name): keeps the image's meterd entrypoint")
            try await checkCommand(service.command, of: service.name)
        }
        let cmd = try #require(dockerfile.finalStage.last { $0.keyword == "CMD" })
        try await checkCommand(cmd.words, of: "Dockerfile CMD")
    }

    @Test("the configuration each member reads exists in the repository and passes meterd validate")
    func mountedConfigurationsValidate() async throws {
        let copied = Dictionary(dockerfile.finalStage.filter { $0.keyword == "COPY" && !$0.arguments.hasPrefix("--") }.compactMap { copy -> (String, String)? in
            let words = copy.words
            return words.count == 2 ? (words[1], words[0]) : nil
        }, uniquingKeysWith: { _, last in last })
        let cmd = dockerfile.finalStage.last { $0.keyword == "CMD" }?.words ?? []
        let members = compose.meterdServices.map { ($0.name, $0.command, $0.volumes) } + [("Dockerfile CMD", cmd, [])]
        for (name, command, volumes) in members {
            let path = try #require(value(of: "-c", in: command) ?? value(of: "--config", in: command), "\(name): names its configuration with -c")
            let mounted = volumes.compactMap { volume -> String? in
                let parts = volume.split(separator: ":").map(String.init)
                return parts.count >= 2 && parts[1] == path ? parts[0] : nil
            }.first
            let relative = try #require(mounted ?? copied[path], "\(name): \(path) is neither mounted nor copied into the image")
            let hostPath = Repository.path(relative.hasPrefix("./") ? String(relative.dropFirst(2)) : relative)
            #expect(FileManager.default.fileExists(atPath: hostPath), "\(name): \(relative) exists in the repository")
            let validate = try MeterdProcess(["validate", "-c", hostPath])
            let status = try await validate.waitForExit(timeout: .seconds(30))
            #expect(status == 0, "\(name): meterd validate -c \(relative):\n\(validate.stdoutLines.joined(separator: "\n"))\(validate.stderr)")
        }
    }

    @Test("members reach the broker on its internal listener and are health-checked on their ops port")
    func bootstrapAndHealthchecks() throws {
        for service in compose.meterdServices {
            let bootstrap = try #require(value(of: "--bootstrap", in: service.command), "\(service.name): --bootstrap given")
            let host = String(bootstrap.prefix { $0 != ":" })
            let broker = try #require(compose.services[host], "\(service.name): bootstrap host \(host) is a compose service")
            #expect(broker.environment["KAFKA_ADVERTISED_LISTENERS"]?.contains(bootstrap) == true, "\(host) advertises \(bootstrap)")
            let port = value(of: "--http-port", in: service.command) ?? "9464"
            let probe = service.healthcheck.last ?? ""
            #expect(probe == "http://localhost:\(port)/readyz" || probe == "http://localhost:\(port)/healthz", "\(service.name): healthcheck \(service.healthcheck)")
        }
        let ids = compose.meterdServices.compactMap { value(of: "--instance-id", in: $0.command) }
        #expect(Set(ids).count == compose.meterdServices.count, "each member has its own --instance-id (its transactional.id): \(ids)")
    }

    @Test("the topics compose creates are the topics of topics/, with their partitions and configs")
    func topicsMatchTheCatalog() throws {
        let appId = try ConfigLoader.load(contentsOfFile: Repository.path("meterd.yaml")).appId
        let catalog = try TopicCatalog.load(directory: Repository.path("topics"), appId: appId)
        let creator = try #require(compose.services.values.first { $0.command.joined().contains("kafka-topics") }, "a service creates the topics")
        let created = try TopicCreation.parse(script: creator.command.joined(separator: "\n"))
        #expect(Set(created.map(\.name)) == Set(catalog.topics.map(\.name)))
        for topic in catalog.topics {
            guard let creation = created.first(where: { $0.name == topic.name }) else { continue }
            #expect(creation == TopicCreation(name: topic.name, partitions: topic.partitions, configs: topic.configs), "compose: \(creation)")
        }
    }

    @Test("Prometheus scrapes every member's metrics port and loads alert rules that use real metrics")
    func prometheusTargetsAndAlerts() throws {
        let prometheus = try #require(compose.services.values.first { $0.image?.hasPrefix("prom/prometheus") == true })
        func hostFile(_ containerPath: String) -> String? {
            prometheus.volumes.compactMap { volume -> String? in
                let parts = volume.split(separator: ":").map(String.init)
                return parts.count >= 2 && parts[1] == containerPath ? String(parts[0].drop { $0 == "." || $0 == "/" }) : nil
            }.first
        }
        let configFile = try #require(hostFile("/etc/prometheus/prometheus.yml"), "prometheus.yml mounted")
        let config = try #require(try Yams.load(yaml: Repository.text(configFile)) as? [String: Any])
        let jobs = config["scrape_configs"] as? [[String: Any]] ?? []
        let targets = Set(jobs.flatMap { job in
            (job["static_configs"] as? [[String: Any]] ?? []).flatMap { $0["targets"] as? [String] ?? [] }
        })
        let members = Set(compose.meterdServices.map { "\($0.name):\(value(of: "--http-port", in: $0.command) ?? "9464")" })
        #expect(targets == members)
        #expect(jobs.allSatisfy { ($0["metrics_path"] as? String ?? "/metrics") == "/metrics" })

        let ruleFiles = config["rule_files"] as? [String] ?? []
        #expect(!ruleFiles.isEmpty, "alert rules loaded")
        let served = Self.servedMetricNames()
        for ruleFile in ruleFiles {
            let hostPath = try #require(hostFile(ruleFile), "\(ruleFile) mounted into the Prometheus container")
            let rules = try #require(try Yams.load(yaml: Repository.text(hostPath)) as? [String: Any])
            let all = (rules["groups"] as? [[String: Any]] ?? []).flatMap { $0["rules"] as? [[String: Any]] ?? [] }
            #expect(all.count >= 5)
            for rule in all {
                let name = rule["alert"] as? String ?? "?"
                let expr = try #require(rule["expr"] as? String, "\(name): expr")
                #expect((rule["labels"] as? [String: Any])?["severity"] != nil, "\(name): severity label")
                #expect((rule["annotations"] as? [String: Any])?["summary"] != nil, "\(name): summary")
                for metric in Self.metricNames(in: expr) {
                    #expect(served.contains(metric), "\(name): \(metric) is not served on /metrics")
                }
            }
        }
    }

    @Test("every meterd_ metric the README and deploy/ name is served on /metrics, and the README lists them all")
    func documentedMetricsExist() throws {
        let served = Self.servedMetricNames()
        for file in ["README.md", "docs/pipeline.md", "deploy/alerts.yml"] {
            for metric in Self.metricNames(in: try Repository.text(file)) {
                #expect(served.contains(metric), "\(file): \(metric) is not served on /metrics")
            }
        }
        let readme = Self.metricNames(in: try Repository.text("README.md"))
        let families = served.filter { name in name.hasPrefix("meterd_") && !["_bucket", "_sum", "_count"].contains { name.hasSuffix($0) } }
        #expect(families.subtracting(readme).isEmpty, "README's metrics table lacks \(families.subtracting(readme).sorted())")
    }

    @Test("the Dockerfile builds the meterd product and runs it with what it needs")
    func dockerfileBuildsMeterd() throws {
        let package = try Repository.text("Package.swift")
        #expect(package.contains(#".executable(name: "meterd""#))
        let build = try #require(dockerfile.all("RUN").first { $0.arguments.contains("swift build") })
        let buildWords = build.arguments.split(separator: " ").map(String.init)
        #expect(value(of: "--product", in: buildWords) == "meterd" && value(of: "-c", in: buildWords) == "release", "\(build.arguments)")
        let workdir = dockerfile.instructions.last { $0.stage == build.stage && $0.keyword == "WORKDIR" }?.arguments ?? "/"
        let binaryCopy = try #require(dockerfile.finalStage.first { $0.keyword == "COPY" && $0.arguments.hasPrefix("--from=") })
        let binaryWords = binaryCopy.words.dropFirst()
        #expect(binaryWords.first == workdir + "/.build/release/meterd", "copies the binary the build stage made: \(binaryCopy.arguments)")
        let entrypoint = try #require(dockerfile.finalStage.last { $0.keyword == "ENTRYPOINT" })
        #expect(entrypoint.words == [binaryWords.last ?? ""])
        for copy in dockerfile.all("COPY") where !copy.arguments.hasPrefix("--") {
            for source in copy.words.dropLast() {
                #expect(FileManager.default.fileExists(atPath: Repository.path(source)), "COPY \(source): exists in the repository")
            }
        }
        let toolsVersion = package.split(separator: "\n").first.flatMap { $0.split(separator: ":").last }.map(String.init) ?? "?"
        let image = dockerfile.all("FROM").first?.arguments ?? ""
        #expect(image.hasPrefix("swift:\(toolsVersion)"), "build image \(image) matches swift-tools-version \(toolsVersion)")
        let runtimePackages = dockerfile.finalStage.filter { $0.keyword == "RUN" }.map(\.arguments).joined(separator: " ")
        #expect(runtimePackages.contains("librdkafka1"), "runtime image has librdkafka")
        if compose.meterdServices.contains(where: { $0.healthcheck.contains("curl") }) {
            #expect(runtimePackages.contains("curl"), "runtime image has curl for the healthcheck")
        }
        #expect(dockerfile.finalStage.contains { $0.keyword == "EXPOSE" && $0.arguments == "9464" })
        let runtimeDirectory = dockerfile.finalStage.last { $0.keyword == "WORKDIR" }?.arguments ?? "/"
        let topicsCopy = dockerfile.finalStage.first { $0.keyword == "COPY" && $0.words.first == "topics" }
        #expect(topicsCopy?.words.last == runtimeDirectory + "/topics", "topics/ where meterd looks for it (the working directory): \(topicsCopy?.arguments ?? "not copied")")
    }

    /// Metric family names `meterd run` serves, from the real exposition.
    static func servedMetricNames() -> Set<String> {
        var counters = PipelineCounters()
        counters.lastCommitMillis = 0
        let text = PrometheusExposition.render(counters)
        var names: Set<String> = ["up"]
        for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            guard parts.count >= 4 else { continue }
            names.insert(String(parts[2]))
            if parts[3] == "histogram" { for suffix in ["_bucket", "_sum", "_count"] { names.insert(String(parts[2]) + suffix) } }
        }
        return names
    }

    /// `meterd_…` identifiers in `text`.
    static func metricNames(in text: String) -> Set<String> {
        let expression = try? NSRegularExpression(pattern: #"\bmeterd_[a-z_]+[a-z]\b"#)
        let matches = expression?.matches(in: text, range: NSRange(text.startIndex..., in: text)) ?? []
        return Set(matches.compactMap { Range($0.range, in: text).map { String(text[$0]) } })
    }
}
