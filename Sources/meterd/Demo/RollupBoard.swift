/// The demo's view of `usage.rollups`: the latest revision of every rollup
/// key (what a compacted topic keeps), and running sums over them per
/// customer and feature — in total, per window, and per breakdown value.
///
/// Sums are kept for SUM and COUNT features only (they add up across
/// windows and breakdown rows); a revision replaces its key's earlier value
/// in every sum, so a revised window is never counted twice.
struct RollupBoard: Sendable {
    /// A customer's feature.
    struct Cell: Hashable, Sendable {
        var customer: String
        var feature: String
    }

    private(set) var latest: [String: RollupRow] = [:]
    /// Rollup records applied, including superseded revisions.
    private(set) var recordsRead = 0
    /// Keys whose latest revision is above 1 (late events revised them).
    private(set) var revisedKeys = 0
    /// Start of the newest window any rollup was emitted for.
    private(set) var newestWindowStart: Int64?
    private(set) var customers: Set<String> = []
    private var cells: Set<Cell> = []
    private var totals: [Cell: Double] = [:]
    private var windowTotals: [Cell: [Int64: Double]] = [:]
    private var dimensionTotals: [Cell: [String: [String: Double]]] = [:]

    /// Applies one record. The latest revision wins per key; an equal
    /// revision (a re-emission) replaces the stored one.
    /// - Returns: false when the record was older than what is stored.
    @discardableResult
    mutating func apply(_ row: RollupRow) -> Bool {
        recordsRead += 1
        let previous = latest[row.key]
        if let previous, previous.revision > row.revision { return false }
        latest[row.key] = row
        customers.insert(row.customer)
        cells.insert(Cell(customer: row.customer, feature: row.feature))
        newestWindowStart = max(newestWindowStart ?? row.windowStartMillis, row.windowStartMillis)
        if (previous?.revision ?? 0) <= 1, row.revision > 1 { revisedKeys += 1 }
        if let previous, previous.isAdditive { add(previous, sign: -1) }
        if row.isAdditive { add(row, sign: 1) }
        return true
    }

    private mutating func add(_ row: RollupRow, sign: Double) {
        let cell = Cell(customer: row.customer, feature: row.feature)
        let amount = sign * row.value
        totals[cell, default: 0] += amount
        windowTotals[cell, default: [:]][row.windowStartMillis, default: 0] += amount
        for (name, value) in row.breakdown {
            dimensionTotals[cell, default: [:]][name, default: [:]][value, default: 0] += amount
        }
    }

    /// Sum over every window so far; nil when the feature has no rollup for
    /// the customer or does not add up.
    func total(customer: String, feature: String) -> Double? {
        totals[Cell(customer: customer, feature: feature)]
    }

    /// Whether any rollup of the feature arrived for the customer.
    func hasRollups(customer: String, feature: String) -> Bool {
        cells.contains(Cell(customer: customer, feature: feature))
    }

    /// Sum over the breakdown rows of one window.
    func windowTotal(customer: String, feature: String, windowStart: Int64) -> Double? {
        windowTotals[Cell(customer: customer, feature: feature)]?[windowStart]
    }

    /// Totals per value of one breakdown dimension, largest first.
    func totals(customer: String, feature: String, by dimension: String) -> [(value: String, total: Double)] {
        let values = dimensionTotals[Cell(customer: customer, feature: feature)]?[dimension] ?? [:]
        return values.map { (value: $0.key, total: $0.value) }.sorted { ($0.total, $1.value) > ($1.total, $0.value) }
    }

    /// Every value of `dimension` seen for `feature`, over all customers, largest total first.
    func dimensionValues(feature: String, dimension: String) -> [String] {
        var sums: [String: Double] = [:]
        for (cell, dimensions) in dimensionTotals where cell.feature == feature {
            for (value, total) in dimensions[dimension] ?? [:] { sums[value, default: 0] += total }
        }
        return sums.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
    }
}
