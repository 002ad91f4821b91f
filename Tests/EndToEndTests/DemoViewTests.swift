import Foundation
import MeterdCore
@testable import meterd
import Testing

/// The pure parts of `meterd demo`: its view of the outputs, their decoding,
/// the number formats and the built-in configuration.
@Suite("meterd demo view model")
struct DemoViewTests {
    private func row(
        _ customer: String = "acme", _ feature: String = "requests", window: Int64 = 10_000, value: Double, revision: Int = 1,
        breakdown: [String: String] = [:], aggregation: String = "COUNT"
    ) -> RollupRow {
        let dims = breakdown.keys.sorted().map { "/\($0)=\(breakdown[$0] ?? "")" }.joined()
        return RollupRow(
            key: "\(customer)/\(feature)/\(window)\(dims)", customer: customer, feature: feature, aggregation: aggregation,
            windowStartMillis: window, windowEndMillis: window + 10_000, breakdown: breakdown, value: value,
            eventCount: Int(value), revision: revision
        )
    }

    @Test("the latest revision of a key wins; an older one arriving later is ignored")
    func latestRevisionWins() {
        var board = RollupBoard()
        let first = board.apply(row(value: 5, revision: 1))
        let newer = board.apply(row(value: 7, revision: 3))
        let older = board.apply(row(value: 6, revision: 2))
        #expect(first && newer && !older)
        #expect(board.latest.count == 1)
        #expect(board.latest.first?.value.value == 7)
        #expect(board.recordsRead == 3)
        #expect(board.revisedKeys == 1)
    }

    @Test("sums replace a revised window's value instead of adding it again")
    func revisionsReplaceInSums() {
        var board = RollupBoard()
        board.apply(row(window: 0, value: 10, breakdown: ["route": "orders"]))
        board.apply(row(window: 0, value: 4, breakdown: ["route": "search"]))
        board.apply(row(window: 10_000, value: 3, breakdown: ["route": "orders"]))
        board.apply(row(window: 0, value: 12, revision: 2, breakdown: ["route": "orders"]))
        #expect(board.total(customer: "acme", feature: "requests") == 19)
        #expect(board.windowTotal(customer: "acme", feature: "requests", windowStart: 0) == 16)
        #expect(board.windowTotal(customer: "acme", feature: "requests", windowStart: 10_000) == 3)
        #expect(board.newestWindowStart == 10_000)
        let byRoute = board.totals(customer: "acme", feature: "requests", by: "route")
        #expect(byRoute.map(\.value) == ["orders", "search"])
        #expect(byRoute.map(\.total) == [15, 4])
        #expect(board.dimensionValues(feature: "requests", dimension: "route") == ["orders", "search"])
        #expect(board.total(customer: "globex", feature: "requests") == nil)
    }

    @Test("AVG and other non-additive rollups are kept but not summed")
    func nonAdditiveNotSummed() {
        var board = RollupBoard()
        board.apply(row("acme", "latency", value: 120, aggregation: "AVG"))
        #expect(board.latest.count == 1)
        #expect(board.total(customer: "acme", feature: "latency") == nil)
        #expect(board.hasRollups(customer: "acme", feature: "latency"))
        #expect(!board.hasRollups(customer: "globex", feature: "latency"))
    }

    @Test("quota events are shown once per CloudEvent id, in arrival order")
    func quotaFeedDedupes() {
        func notice(_ id: String, _ type: String) -> QuotaNotice {
            QuotaNotice(id: id, type: type, customer: "acme", feature: "requests", periodStartMillis: 0, periodEndMillis: 3_600_000,
                        limit: 100, usage: 100, threshold: 100, hard: true, timeMillis: 5)
        }
        var feed = QuotaFeed()
        let first = feed.apply(notice("a", "quota.threshold"))
        let second = feed.apply(notice("b", "quota.exceeded"))
        let repeated = feed.apply(notice("a", "quota.threshold"))
        #expect(first && second && !repeated)
        #expect(feed.notices.map(\.id) == ["a", "b"])
        #expect(feed.countsByType == ["quota.threshold": 1, "quota.exceeded": 1])
    }

    @Test("decodes meter.rollup and quota CloudEvents; anything else is nil")
    func decodesOutputs() throws {
        let decoder = DemoOutputDecoder()
        let rollup = #"{"data":{"aggregation":"SUM","breakdown":{"model":"gpt-4o"},"customer":"acme","eventCount":3,"feature":"llm_input_tokens","#
            + #""meter":"llm_prompt_tokens","revision":2,"subjects":["acme-web"],"value":1234.5,"windowEnd":"2024-05-01T12:00:10Z","#
            + #""windowStart":"2024-05-01T12:00:00Z"},"id":"x","source":"meterd/demo","specversion":"1.0","subject":"acme","#
            + #""time":"2024-05-01T12:00:10Z","type":"meter.rollup"}"#
        let decoded = try #require(decoder.rollup(key: Array("acme/llm_input_tokens/1714564800000/model=gpt-4o".utf8), value: Array(rollup.utf8)))
        #expect(decoded.windowStartMillis == 1_714_564_800_000 && decoded.windowEndMillis == 1_714_564_810_000)
        #expect(decoded.value == 1234.5 && decoded.revision == 2 && decoded.eventCount == 3)
        #expect(decoded.breakdown == ["model": "gpt-4o"] && decoded.isAdditive)

        let quota = #"{"data":{"customer":"acme","feature":"requests","hard":true,"limit":2000,"periodEnd":"2024-05-01T13:00:00Z","#
            + #""periodStart":"2024-05-01T12:00:00Z","threshold":100,"usage":2000},"id":"q1","source":"meterd/demo","#
            + #""specversion":"1.0","subject":"acme","time":"2024-05-01T12:34:56.789Z","type":"quota.exceeded"}"#
        let notice = try #require(decoder.quota(value: Array(quota.utf8)))
        #expect(notice.type == "quota.exceeded" && notice.hard && notice.limit == 2000 && notice.threshold == 100)
        #expect(notice.timeMillis == 1_714_566_896_789)
        #expect(DemoTables.period(notice) == "hour from 12:00")
        var daily = notice
        daily.periodEndMillis = daily.periodStartMillis + 86_400_000
        #expect(DemoTables.period(daily) == "day 2024-05-01")

        #expect(decoder.rollup(key: nil, value: Array(rollup.utf8)) == nil)
        #expect(decoder.quota(value: Array(rollup.utf8)) == nil)
        #expect(decoder.quota(value: Array("{not json".utf8)) == nil)
        #expect(decoder.rollup(key: [], value: nil) == nil)
    }

    @Test("numbers, money, clock times and uptimes")
    func formats() {
        #expect(DemoFormat.count(0) == "0")
        #expect(DemoFormat.count(1_234_567) == "1,234,567")
        #expect(DemoFormat.count(-1_000) == "-1,000")
        #expect(DemoFormat.value(523_110) == "523,110")
        #expect(DemoFormat.value(1234.56) == "1,234.6")
        #expect(DemoFormat.value(12.345) == "12.35")
        #expect(DemoFormat.value(0.00421) == "0.0042")
        #expect(DemoFormat.value(4.5, money: true) == "$4.50")
        #expect(DemoFormat.value(0.0042, money: true) == "$0.0042")
        #expect(DemoFormat.value(.nan) == "?")
        #expect(DemoFormat.clock(1_714_566_896_789) == "12:34:56")
        #expect(DemoFormat.uptime(seconds: 42.9) == "42s")
        #expect(DemoFormat.uptime(seconds: 185) == "3m 05s")
        #expect(DemoFormat.uptime(seconds: 3_723) == "1h 02m 03s")
        #expect(DemoFormat.percent(80) == "80%" && DemoFormat.percent(12.5) == "12.5%")
    }

    @Test("rates are taken over the last few seconds of samples")
    func rateOverWindow() {
        var meter = RateMeter(window: 5)
        meter.sample(count: 0, at: 0)
        #expect(meter.perSecond == 0)
        meter.sample(count: 100, at: 1)
        #expect(meter.perSecond == 100)
        meter.sample(count: 100, at: 2)
        #expect(meter.perSecond == 50)
        for second in 3...10 { meter.sample(count: 100 + (second - 2) * 300, at: Double(second)) }
        #expect(meter.perSecond == 300, "only the last 5 s count")
    }

    @Test("tables align columns; the usage table shows totals and the last window")
    func usageTable() throws {
        let configuration = try DemoConfiguration.load(path: nil)
        let layout = DemoLayout(configuration: configuration, configName: "built-in")
        var outputs = DemoOutputs()
        outputs.rollups.apply(row(window: 0, value: 10, breakdown: ["route": "orders"]))
        outputs.rollups.apply(row(window: 10_000, value: 3, breakdown: ["route": "orders"]))
        outputs.rollups.apply(row("walk-in", "llm_spend", window: 10_000, value: 1.5, aggregation: "SUM"))
        let lines = DemoTables.usage(outputs, layout: layout, lastWindow: true)
        let header = lines[1]
        #expect(header.hasPrefix("customer  plan  requests  successful_requests"))
        let acme = try #require(lines.first { $0.hasPrefix("acme ") })
        #expect(acme.contains("free") && acme.contains("13 +3"))
        let headerEnd = try #require(header.range(of: "requests")).upperBound.utf16Offset(in: header)
        let cellEnd = try #require(acme.range(of: "13 +3")).upperBound.utf16Offset(in: acme)
        #expect(headerEnd == cellEnd, "numbers right-aligned under their header")
        let walkIn = try #require(lines.first { $0.hasPrefix("walk-in ") }, "a passthrough customer gets a row")
        #expect(walkIn.hasSuffix("$1.50 +$1.50"))
    }

    @Test("the built-in configuration is valid, and its subjects reach the generator round-robin")
    func builtInConfiguration() throws {
        let configuration = try DemoConfiguration.load(path: nil)
        #expect(configuration.customers.count >= 4)
        #expect(Set(configuration.customers.compactMap(\.plan)) == ["free", "pro"])
        #expect(configuration.windows.sizeMillis == 10_000 && configuration.windows.graceMillis == 2_000)
        let subjects = try #require(DemoConfiguration.generatorSubjects(of: configuration))
        #expect(Set(subjects) == Set(configuration.customers.flatMap(\.subjects)))
        #expect(subjects.prefix(configuration.customers.count).elementsEqual(configuration.customers.map { $0.subjects[0] }))
        let layout = DemoLayout(configuration: configuration, configName: "built-in")
        #expect(layout.moneyFeatures == ["llm_spend"])
        #expect(layout.breakdown?.feature == "llm_input_tokens" && layout.breakdown?.dimension == "model")
    }
}
