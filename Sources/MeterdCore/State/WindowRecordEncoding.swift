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
                    var bound = 1 + 2 * RawByteWriter.varintBound
                    for entry in order {
                        let index = Int(entry)
                        if !states[index].encodedIsValid { states[index].encode(key: keys[index]) }
                        bound += RawByteWriter.varintBound + states[index].encoded.count
                        let featureIndex = keys[index].featureIndex
                        if scratch[featureIndex] < 0 {
                            scratch[featureIndex] = featureCount
                            scratch[featuresAt + featureCount] = featureIndex
                            featureCount += 1
                            bound += 2 * RawByteWriter.varintBound + compiledFeatures[featureIndex].key.utf8.count
                                + compiledFeatures[featureIndex].aggregation.rawValue.utf8.count
                        }
                    }
                    return RawByteWriter.bytes(bound: bound) { out in
                        out.write(PartitionAggregator.stateVersion)
                        out.write(varint: UInt64(featureCount))
                        for feature in scratch[featuresAt..<(featuresAt + featureCount)] {
                            out.write(compiledFeatures[feature].key)
                            out.write(compiledFeatures[feature].aggregation.rawValue)
                        }
                        out.write(varint: UInt64(order.count))
                        for entry in order {
                            let index = Int(entry)
                            out.write(varint: UInt64(scratch[keys[index].featureIndex]))
                            states[index].encoded.withUnsafeBytes { out.write(raw: $0) }
                        }
                    }
                }
            }
        }
    }
}

extension RollupGroupState {
    /// Fills the encoding cache, reusing its storage.
    mutating func encode(key: RollupGroupKey) {
        var buffer: [UInt8] = []
        swap(&buffer, &encoded)
        RawByteWriter.write(into: &buffer, bound: encodingBound(key: key)) { out in
            PartitionAggregator.encodeGroup(key, self, to: &out)
        }
        encoded = buffer
        encodedIsValid = true
    }

    /// The most bytes `PartitionAggregator.encodeGroup` writes for this group.
    private func encodingBound(key: RollupGroupKey) -> Int {
        let varint = RawByteWriter.varintBound
        var bound = 4 * varint + 1
        for value in key.breakdown { bound += 1 + varint + (value?.utf8.count ?? 0) }
        switch accumulator.kind {
        case .count:
            break
        case .sum, .avg:
            bound += varint + 8 * accumulator.sum.partials.count
        case .min, .max:
            bound += 8
        case .latest:
            bound += 8 + 2 * varint + accumulator.latestId.utf8.count
        case .uniqueCount:
            bound += varint
            for value in accumulator.distinct { bound += varint + value.utf8.count }
        }
        bound += varint
        for subject in sortedSubjects { bound += varint + subject.utf8.count }
        return bound
    }
}
