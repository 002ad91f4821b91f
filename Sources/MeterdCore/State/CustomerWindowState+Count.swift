extension CustomerWindowState {
    /// What counting one record into a window did, for `CustomerState.accept`.
    struct Counted {
        /// The window had no events before this one (it was just created).
        var newWindow = false
        /// Some feature matched: a group changed.
        var changedRollup = false
        /// The window must now be listed in the aggregator's `changedWindows`.
        var listWindow = false
        /// Visited (sample, feature) pairs that matched a SUM/COUNT feature,
        /// by visit order; records visiting more than 64 pairs fall back to an array.
        var quotaMatches: UInt64 = 0
        /// The visit numbers from 64 on of such pairs (rare: a record with
        /// many samples and features).
        var moreQuotaMatches: [Int] = []
    }

    /// One matched (sample, feature) pair of a record: where its group is,
    /// found before the dedupe check so that the lookups' misses overlap.
    private struct GroupMatch {
        var sampleIndex: Int
        var featureIndex: Int
        /// The group's key fingerprint (`RollupGroupKey.fingerprint`).
        var fingerprint: UInt64
        /// The group's position, or -1 when the window has no such group yet.
        var position: Int
    }

    /// Counts a validated, not-too-late record into the window's rollups.
    ///
    /// In two passes: the first finds the group of every matched (sample,
    /// feature) pair and hints its state to the cache, without changing
    /// anything; then `dedupe` (when given: the caller has not checked the
    /// fingerprint yet) takes the fingerprint, and only then are the groups
    /// created and updated, in visit order, exactly as one pass would.
    /// A group's key is interned in `breakdowns` when the group is created.
    /// - Returns: `false` when `dedupe` already held the fingerprint (the
    ///   window is unchanged); `counted` is then meaningless.
    static func count(
        _ record: UsageRecord, fingerprint: DedupeFingerprint, into window: inout CustomerWindowState,
        dedupe: UnsafeMutablePointer<FingerprintSet>?, compiled: CompiledConfiguration,
        breakdowns: inout BreakdownInterner, counted: inout Counted
    ) -> Bool {
        // The arrays whose headers the second pass reads (appending a
        // fingerprint; updating states in place), hinted before the lookups.
        Prefetch.header(of: &window.dedupe, write: true)
        window.groups.prefetchStatesHeader()
        // Read through unsafe buffers: an array subscript or a `for … in` copies
        // the element (a feature: retains of every field; a sample, a row of features).
        return compiled.features.withUnsafeBufferPointer { features in
            compiled.withHotPathTables { tables in
                record.samples.withUnsafeBufferPointer { samples in
                    var visits = 0
                    for sample in samples.indices { visits &+= tables.features(ofMeter: samples[sample].meterIndex).count }
                    return withUnsafeTemporaryAllocation(of: GroupMatch.self, capacity: Swift.max(visits, 1)) { matches in
                        let matchCount = window.locate(samples, features: features, tables: tables, into: matches, counted: &counted)
                        if let dedupe, !dedupe.pointee.insert(fingerprint) { return false }
                        // A window's fingerprint list is empty only when it was just created.
                        let dedupeIndex = window.dedupe.count
                        counted.newWindow = dedupeIndex == 0
                        window.dedupe.append(fingerprint)
                        // Matches come sample by sample: one dimension buffer per sample,
                        // opened only where a group must be created (opening it retains the array).
                        var next = 0
                        while next < matchCount {
                            if matches[next].position >= 0 {
                                window.groups[stateAt: matches[next].position].update(samples[matches[next].sampleIndex].value, record: record)
                                next += 1
                                continue
                            }
                            let sample = matches[next].sampleIndex
                            samples[sample].dimensions.withUnsafeBufferPointer { dimensions in
                                while next < matchCount, matches[next].sampleIndex == sample {
                                    let match = matches[next]
                                    window.add(
                                        samples[sample].value, featureIndex: match.featureIndex, fingerprint: match.fingerprint,
                                        knownPosition: match.position, breakdownIndexes: tables.breakdownIndexes(ofFeature: match.featureIndex),
                                        dimensions: dimensions, kind: features[match.featureIndex].aggregation, record: record,
                                        breakdowns: &breakdowns
                                    )
                                    next += 1
                                }
                            }
                        }
                        counted.listWindow = window.noteChange(groupsChanged: counted.newWindow || counted.changedRollup, dedupeIndex: dedupeIndex)
                        return true
                    }
                }
            }
        }
    }

    /// The first pass of `count`: the matched pairs in visit order, with
    /// their groups' positions; sets `changedRollup` and the quota matches.
    /// - Returns: how many of `matches` it filled.
    private mutating func locate(
        _ samples: UnsafeBufferPointer<MeterSample>, features: UnsafeBufferPointer<CompiledFeature>, tables: HotPathTables,
        into matches: UnsafeMutableBufferPointer<GroupMatch>, counted: inout Counted
    ) -> Int {
        var matchCount = 0
        var visit = 0
        for sampleIndex in samples.indices {
            // Meter indexes are validated; an unknown one reads no feature.
            let featureIndexes = tables.features(ofMeter: samples[sampleIndex].meterIndex)
            guard !featureIndexes.isEmpty else { continue }
            samples[sampleIndex].dimensions.withUnsafeBufferPointer { dimensions in
                // Through a static function: a call on `self` captured by this
                // closure would copy the groups first (a retain of each array).
                Self.locate(
                    sampleIndex, dimensions: dimensions, featureIndexes: featureIndexes, in: &self, features: features, tables: tables,
                    into: matches, matchCount: &matchCount, visit: &visit, counted: &counted
                )
            }
        }
        return matchCount
    }

    @inline(__always)
    private static func locate(
        _ sampleIndex: Int, dimensions: UnsafeBufferPointer<String?>, featureIndexes: Slice<UnsafeBufferPointer<Int>>,
        in window: inout CustomerWindowState, features: UnsafeBufferPointer<CompiledFeature>, tables: HotPathTables,
        into matches: UnsafeMutableBufferPointer<GroupMatch>, matchCount: inout Int, visit: inout Int, counted: inout Counted
    ) {
        for featureIndex in featureIndexes {
            defer { visit += 1 }
            guard features[featureIndex].matchesAll || CompiledFeature.matches(features[featureIndex].filter, dimensions) else { continue }
            counted.changedRollup = true
            let breakdownIndexes = tables.breakdownIndexes(ofFeature: featureIndex)
            let fingerprint = RollupGroupKey.fingerprint(featureIndex: featureIndex, breakdownIndexes: breakdownIndexes, dimensions: dimensions)
            let position = window.groups.index(
                featureIndex: featureIndex, breakdownIndexes: breakdownIndexes, dimensions: dimensions, fingerprint: fingerprint
            ) ?? -1
            if position >= 0 { window.groups.prefetchState(at: position) }
            matches[matchCount] = GroupMatch(sampleIndex: sampleIndex, featureIndex: featureIndex, fingerprint: fingerprint, position: position)
            matchCount += 1
            guard features[featureIndex].aggregation.supportsQuota else { continue }
            if visit < 64 { counted.quotaMatches |= 1 &<< UInt64(visit) } else { counted.moreQuotaMatches.append(visit) }
        }
    }

    /// Counts a sample into the group of `featureIndex` for its dimension
    /// values, at `knownPosition` when the first pass found it (groups are
    /// only appended while counting, so positions stay valid), else looked
    /// up again (an earlier pair of the record may have created it) or
    /// created; the group's key is built (and interned) only when the group is created.
    @inline(__always)
    private mutating func add(
        _ value: SampleValue, featureIndex: Int, fingerprint: UInt64, knownPosition: Int,
        breakdownIndexes: UnsafeBufferPointer<Int?>, dimensions: UnsafeBufferPointer<String?>,
        kind: AggregationKind, record: UsageRecord, breakdowns: inout BreakdownInterner
    ) {
        let position = knownPosition >= 0 ? knownPosition : groups.index(
            featureIndex: featureIndex, breakdownIndexes: breakdownIndexes, dimensions: dimensions, fingerprint: fingerprint
        ) ?? groups.append(
            breakdowns.intern(RollupGroupKey(featureIndex: featureIndex, breakdown: breakdownIndexes.map { position in
                position.flatMap { $0 < dimensions.count ? dimensions[$0] : nil }
            })),
            RollupGroupState(accumulator: Accumulator(kind: kind))
        )
        groups[stateAt: position].update(value, record: record)
    }
}
