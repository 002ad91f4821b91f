extension CustomerWindowState {
    /// The value of the window's state record (see `StateRecordCoding`):
    /// the features its groups use (key and aggregation, once each), then
    /// each group's feature position and encoding. Only groups changed since
    /// their last encoding are encoded again; the others are copied from
    /// their cache, which this fills.
    mutating func encodeRecord(compiled: CompiledConfiguration) -> [UInt8] {
        // Ordered by the keys' fingerprints (ties by value); the order is
        // cached in the table until a group is added.
        let order = groups.encodingOrder()
        return groups.withStates { keys, states in
            compiled.features.withUnsafeBufferPointer { compiledFeatures in
                // Per feature index its position in the record (-1: unused yet),
                // then the used feature indexes in order of first use.
                withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * compiledFeatures.count + 1) { scratch in
                    let featuresAt = compiledFeatures.count
                    scratch.initialize(repeating: -1)
                    var featureCount = 0
                    var bound = 1 + 2 * ByteCursor.varintBound
                    // Groups come in fingerprint order, at scattered positions of a
                    // window that is usually out of cache: a state is hinted two
                    // groups ahead, and its encoding cache's header (which
                    // `encode` reads first) one ahead, once the state has arrived.
                    for step in order.indices {
                        if step + 2 < order.count, let base = states.baseAddress {
                            Prefetch.value(at: base + Int(order[step + 2]), write: true)
                        }
                        if step + 1 < order.count { Prefetch.header(of: &states[Int(order[step + 1])].encoded) }
                        let index = Int(order[step])
                        if !states[index].encodedIsValid { states[index].encode(key: keys[index]) }
                        bound += ByteCursor.varintBound + states[index].encodedCount
                        let featureIndex = keys[index].featureIndex
                        if scratch[featureIndex] < 0 {
                            scratch[featureIndex] = featureCount
                            scratch[featuresAt + featureCount] = featureIndex
                            featureCount += 1
                            bound += compiledFeatures[featureIndex].stateRecordEntry.count
                        }
                    }
                    return ByteCursor.bytes(bound: bound) { out in
                        out.write(PartitionAggregator.stateVersion)
                        out.write(varint: UInt64(featureCount))
                        for feature in scratch[featuresAt..<(featuresAt + featureCount)] {
                            compiledFeatures[feature].stateRecordEntry.withUnsafeBytes { out.write(raw: $0) }
                        }
                        out.write(varint: UInt64(order.count))
                        for entry in order {
                            let index = Int(entry)
                            out.write(varint: UInt64(scratch[keys[index].featureIndex]))
                            let count = states[index].encodedCount
                            states[index].encoded.withUnsafeBytes { out.write(raw: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
                        }
                    }
                }
            }
        }
    }
}

extension RollupGroupState {
    /// Fills the encoding cache, over its storage when that is large enough.
    mutating func encode(key: RollupGroupKey) {
        let bound = encodingBound(key: key)
        var buffer: [UInt8] = []
        swap(&buffer, &encoded)
        if buffer.count < bound { buffer = [UInt8](repeating: 0, count: bound) }
        encodedCount = ByteCursor.write(into: &buffer) { out in writeEncoding(key: key, to: &out) }
        swap(&buffer, &encoded)
        encodedIsValid = true
    }

    /// `mutating` only so the closure above reaches the group through its
    /// address: a non-mutating call from there copies the whole group first.
    private mutating func writeEncoding(key: RollupGroupKey, to out: inout ByteCursor) {
        PartitionAggregator.encodeGroup(key, self, to: &out)
    }

    /// The bytes `PartitionAggregator.encodeGroup` writes for this group
    /// (exact but for a sum's partial count, counted as a full varint), so
    /// the cache is sized to what it holds.
    private func encodingBound(key: RollupGroupKey) -> Int {
        typealias W = ByteCursor
        var bound = W.size(varint: UInt64(key.breakdown.count))
        for value in key.breakdown { bound += 1 + (value.map { W.size(stringOf: $0.utf8.count) } ?? 0) }
        bound += W.size(zigzag: Int64(revision)) + 1 + W.size(zigzag: accumulator.eventCount)
        switch accumulator.kind {
        case .count:
            break
        case .sum, .avg:
            bound += W.varintBound + 8 * accumulator.sum.partialCount
        case .min, .max:
            bound += 8
        case .latest:
            bound += 8 + W.size(zigzag: accumulator.latestTimeMillis) + W.size(stringOf: accumulator.latestId.utf8.count)
        case .uniqueCount:
            bound += W.size(varint: UInt64(accumulator.distinct.count))
            for value in accumulator.distinct { bound += W.size(stringOf: value.utf8.count) }
        }
        bound += W.size(varint: UInt64(sortedSubjects.count))
        for subject in sortedSubjects { bound += W.size(stringOf: subject.utf8.count) }
        return bound
    }
}
