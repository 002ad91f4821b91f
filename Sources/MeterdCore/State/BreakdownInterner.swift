/// The canonical rollup group keys of one aggregator: every group of the
/// same feature and breakdown values, in any customer and window, holds the
/// same breakdown array.
///
/// A group lookup compares the key's breakdown values with the record's
/// (`RollupGroupTable.index(featureIndex:breakdownIndexes:dimensions:fingerprint:)`).
/// With an array per group, that read was a dependent cache miss on every
/// lookup of a large state (a third of the lookup's time in perf); a few
/// shared arrays stay in cache, and the state keeps one copy of each.
///
/// Bounded by live state: the set also holds keys whose groups are gone
/// until `needsPurge`, when the aggregator rebuilds it from its live groups
/// (`PartitionAggregator.purgeBreakdownsIfDue()`), at most twice as many
/// keys as it kept at the last rebuild (and at least `minimumPurgeThreshold`).
struct BreakdownInterner: Sendable {
    /// Keys compare by feature and breakdown values (`RollupGroupKey.==`).
    private var canonical: Set<RollupGroupKey> = []
    private var purgeThreshold = Self.minimumPurgeThreshold

    static let minimumPurgeThreshold = 4_096

    init() {}

    var count: Int { canonical.count }

    /// The key equal to `key` whose breakdown array every group shares;
    /// `key` itself when it is the first of its kind. Keys without breakdown
    /// values share the empty array already.
    mutating func intern(_ key: RollupGroupKey) -> RollupGroupKey {
        if key.breakdown.isEmpty { return key }
        return canonical.insert(key).memberAfterInsert
    }

    /// The shared breakdown arrays and their values, for state-size metrics.
    var approximateBytes: Int {
        var bytes = 0
        for key in canonical {
            bytes += 48 + 16 * key.breakdown.count
            for value in key.breakdown { bytes += value?.utf8.count ?? 0 }
        }
        return bytes
    }

    /// Whether keys of dropped groups may now outnumber the live ones.
    var needsPurge: Bool { canonical.count > purgeThreshold }

    /// Ends a rebuild into this (fresh) interner: the next purge comes when
    /// the set has doubled.
    mutating func rebuilt() {
        purgeThreshold = Swift.max(Self.minimumPurgeThreshold, 2 * canonical.count)
    }
}
