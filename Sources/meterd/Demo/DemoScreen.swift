/// One frame of the demo's live view, and the final summary, as text lines.
/// Pure: the terminal code decides how lines reach the screen.
enum DemoScreen {
    /// The live frame; quota events fill what `height` leaves (10 without one).
    static func frame(_ snapshot: DemoSnapshot, layout: DemoLayout, height: Int?) -> [String] {
        var lines = header(snapshot, layout: layout, ended: false)
        lines += [""] + DemoTables.usage(snapshot.outputs, layout: layout, lastWindow: true)
        let breakdown = DemoTables.breakdown(snapshot.outputs, layout: layout)
        if !breakdown.isEmpty { lines += [""] + breakdown }
        lines.append("")
        // Title and header row of the quota table take two lines.
        let quotaRows = height.map { max(1, $0 - lines.count - 3) } ?? 10
        lines += DemoTables.quota(snapshot.outputs, layout: layout, limit: quotaRows)
        return lines
    }

    /// What stays on the terminal after the demo: totals, every quota event.
    static func summary(_ snapshot: DemoSnapshot, layout: DemoLayout) -> [String] {
        var lines = ["=== meterd demo summary ==="] + header(snapshot, layout: layout, ended: true)
        if let note = snapshot.note { lines.append("note: " + note) }
        lines.append("rollup keys: \(snapshot.outputs.rollups.latest.count)")
        lines.append("quota events: \(snapshot.outputs.quota.notices.count)")
        lines += [""] + DemoTables.usage(snapshot.outputs, layout: layout, lastWindow: false)
        let breakdown = DemoTables.breakdown(snapshot.outputs, layout: layout)
        if !breakdown.isEmpty { lines += [""] + breakdown }
        lines += [""] + DemoTables.quota(snapshot.outputs, layout: layout, limit: nil)
        return lines
    }

    static func header(_ snapshot: DemoSnapshot, layout: DemoLayout, ended: Bool) -> [String] {
        let produced = snapshot.produced
        let pipeline = snapshot.pipeline
        let board = snapshot.outputs.rollups
        let uptime = DemoFormat.uptime(seconds: snapshot.uptimeSeconds)
        var lines = [
            ended
                ? "meterd demo ran \(uptime) on the in-process embedded broker \(snapshot.broker)"
                : "meterd demo · up \(uptime) · in-process embedded broker \(snapshot.broker) · \(snapshot.note ?? "Ctrl-C stops")",
            "config \(layout.configName) (appId \(layout.appId)) · \(DemoLayout.duration(millis: layout.windowSizeMillis)) windows, "
                + "\(DemoLayout.duration(millis: layout.graceMillis)) grace" + (snapshot.logPath.map { " · logs \($0)" } ?? ""),
        ]
        if !ended { lines.append("") }
        lines.append("traffic    \(DemoFormat.count(produced.sent)) Kong records produced · \(rate(snapshot.producedPerSecond, ended)) · "
            + "ai \(DemoFormat.count(produced.ai)) · duplicates \(DemoFormat.count(produced.duplicates)) · "
            + "late \(DemoFormat.count(produced.late)) · malformed \(DemoFormat.count(produced.malformed))")
        lines.append("processor  \(DemoFormat.count(snapshot.inputRecords)) input records processed · "
            + "\(DemoFormat.count(pipeline.recordsIn.values.reduce(0, +))) records read · \(rate(snapshot.readPerSecond, ended)) · "
            + "lag \(DemoFormat.count(snapshot.lag)) · commits \(DemoFormat.count(pipeline.commits))"
            + (ended ? "" : pipeline.ready ? " · ready" : " · joining the group"))
        var checks = "dead letters \(DemoFormat.count(snapshot.deadLetters))"
        if snapshot.deadLetters > 0 { checks += " (\(snapshot.deadLetterBreakdown))" }
        checks += " · duplicates dropped \(DemoFormat.count(pipeline.dedupedEvents)) · late events accepted \(DemoFormat.count(pipeline.lateEvents))"
        lines.append("           " + checks)
        lines.append("outputs    \(DemoFormat.count(board.latest.count)) rollup keys (\(DemoFormat.count(board.recordsRead)) records, "
            + "\(DemoFormat.count(board.revisedKeys)) revised by late events) · " + DemoFormat.count(snapshot.outputs.quota.notices.count, "quota event")
            + (snapshot.outputs.unreadable > 0 ? " · \(snapshot.outputs.unreadable) unreadable" : ""))
        return lines
    }

    private static func rate(_ perSecond: Double, _ ended: Bool) -> String {
        "\(DemoFormat.count(Int64(perSecond.rounded())))/s" + (ended ? " on average" : "")
    }
}
