import MeterdCore

/// The tables of the demo's screen and summary, as text lines.
enum DemoTables {
    /// Usage per customer (rows) and feature (columns): the sum of the
    /// latest revisions since start, and with `lastWindow` the newest
    /// window's share as `+N`.
    static func usage(_ outputs: DemoOutputs, layout: DemoLayout, lastWindow: Bool) -> [String] {
        let board = outputs.rollups
        let window = lastWindow ? board.newestWindowStart : nil
        var title = "USAGE since start (sum of the latest revision of every rollup)"
        if let window {
            title += "; +N = last window \(DemoFormat.clock(window))–\(DemoFormat.clock(window + layout.windowSizeMillis)) UTC"
        }
        var table = TextTable(header: ["customer", "plan"] + layout.features, leftAligned: [0, 1])
        for customer in layout.customerRows(seen: board.customers) {
            var row = [customer.key, customer.plan ?? "-"]
            for feature in layout.features {
                let money = layout.moneyFeatures.contains(feature)
                guard let total = board.total(customer: customer.key, feature: feature) else {
                    // AVG, MIN, MAX, LATEST and UNIQUE_COUNT rollups do not add up.
                    row.append(board.hasRollups(customer: customer.key, feature: feature) ? "n/a" : "-")
                    continue
                }
                var cell = DemoFormat.value(total, money: money)
                if let window, let recent = board.windowTotal(customer: customer.key, feature: feature, windowStart: window) {
                    cell += " +" + DemoFormat.value(recent, money: money)
                }
                row.append(cell)
            }
            table.append(row)
        }
        return [title] + table.lines
    }

    /// One feature's totals per value of one breakdown dimension (e.g.
    /// input tokens per model), customers as rows; at most `maxColumns` values.
    static func breakdown(_ outputs: DemoOutputs, layout: DemoLayout, maxColumns: Int = 5) -> [String] {
        guard let (feature, dimension) = layout.breakdown else { return [] }
        let board = outputs.rollups
        let values = Array(board.dimensionValues(feature: feature, dimension: dimension).prefix(maxColumns))
        guard !values.isEmpty else { return [] }
        let money = layout.moneyFeatures.contains(feature)
        var table = TextTable(header: ["customer"] + values)
        for customer in layout.customerRows(seen: board.customers) {
            let totals = Dictionary(uniqueKeysWithValues: board.totals(customer: customer.key, feature: feature, by: dimension).map { ($0.value, $0.total) })
            table.append([customer.key] + values.map { value in totals[value].map { DemoFormat.value($0, money: money) } ?? "-" })
        }
        return ["\(feature.uppercased()) by \(dimension) since start"] + table.lines
    }

    /// Quota events, newest first; at most `limit` of them (all when nil).
    static func quota(_ outputs: DemoOutputs, layout: DemoLayout, limit: Int?) -> [String] {
        let notices = outputs.quota.notices
        let counts = outputs.quota.countsByType.sorted { $0.key < $1.key }.map { "\($0.key.dropFirst(6)) \($0.value)" }
        var title = "QUOTA EVENTS (\(notices.count)\(counts.isEmpty ? "" : ": " + counts.joined(separator: ", ")))"
        let shown = notices.reversed().prefix(limit ?? notices.count)
        if shown.count < notices.count { title += ", newest \(shown.count) shown" }
        guard !notices.isEmpty else { return [title, "  " + layout.noQuotaEventsYet] }
        var table = TextTable(header: ["time", "event", "customer", "feature", "threshold", "usage / limit", "period", "hard"], leftAligned: [0, 1, 2, 3, 6, 7])
        for notice in shown {
            let money = layout.moneyFeatures.contains(notice.feature)
            table.append([
                DemoFormat.clock(notice.timeMillis), notice.type, notice.customer, notice.feature,
                DemoFormat.percent(notice.threshold),
                DemoFormat.value(notice.usage, money: money) + " / " + DemoFormat.value(notice.limit, money: money),
                period(notice), notice.hard ? "HARD" : "soft",
            ])
        }
        return [title] + table.lines
    }

    /// `hour from 13:00`, `day 2024-05-01`, `month from 2024-05-01`, by the period's length.
    static func period(_ notice: QuotaNotice) -> String {
        let length = notice.periodEndMillis - notice.periodStartMillis
        let date = String(RFC3339.string(epochMillis: notice.periodStartMillis).prefix(10))
        switch length {
        case 3_600_000: return "hour from \(DemoFormat.clock(notice.periodStartMillis).dropLast(3))"
        case 86_400_000: return "day \(date)"
        case 604_800_000: return "week from \(date)"
        default: return (length >= 2_419_200_000 ? "month" : DemoLayout.duration(millis: length)) + " from \(date)"
        }
    }
}
