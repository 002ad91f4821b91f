import MeterdConfig
import MeterdCore
import Testing

@Suite struct ValidationReportTests {
    @Test func problemsRenderCompilerStyle() {
        let problems = [
            ConfigProblem(ConfigPath.root.key("features").index(1).key("meter"), message: "unknown meter 'x'",
                          hint: "did you mean 'y'?", file: "m.yaml", line: 12, column: 12),
            ConfigProblem(ConfigPath.root.key("appId"), message: "bad", file: "m.yaml", line: 1, column: 8),
        ]
        #expect(ValidationReport.render(problems) == """
            m.yaml:12:12: error: features[1].meter: unknown meter 'x' (hint: did you mean 'y'?)
            m.yaml:1:8: error: appId: bad

            """)
    }

    @Test func invalidVerdictListsEveryProblemAndCountsThem() {
        let yaml = ConfigTestSupport.document(head: "appId: \"a b\"\ncommitInterval: 0s")
        guard case .invalid(let errors) = ValidationReport.verdict(yaml: yaml, file: "c.yaml") else {
            Issue.record("expected invalid")
            return
        }
        let lines = errors.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("c.yaml:1:8: error: appId: "))
        #expect(lines[1].hasPrefix("c.yaml:2:17: error: commitInterval: must be > 0"))
        #expect(lines[2] == "2 problems in c.yaml")
    }

    @Test func validVerdictSummarizesTheConfiguration() {
        guard case .valid(let summary) = ValidationReport.verdict(yaml: ConfigTestSupport.document(), file: "ok.yaml") else {
            Issue.record("expected valid")
            return
        }
        #expect(summary.hasPrefix("ok.yaml: OK\n"))
        #expect(summary.contains("meters (2): api_requests [COUNT], tokens [SUM]"))
        #expect(summary.contains("features (2): requests, llm_tokens"))
        #expect(summary.contains("plans (1): free [1 quota]"))
        #expect(summary.contains("customers (1, 2 subjects; unknown subjects: passthrough)"))
        #expect(summary.contains("windows: size 1m, grace 10s, allowedLateness 1h, idleTimeout 5s; commitInterval 100ms"))
    }
}
