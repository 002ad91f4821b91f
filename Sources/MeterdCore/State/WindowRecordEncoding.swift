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
            var bytes = 0
            var positions = [Int](repeating: -1, count: compiled.features.count)
            var features: [Int] = []
            features.reserveCapacity(compiled.features.count)
            for entry in order {
                let index = Int(entry)
                if !states[index].encodedIsValid { states[index].encode(key: keys[index]) }
                bytes += states[index].encoded.count
                let featureIndex = keys[index].featureIndex
                if positions[featureIndex] < 0 {
                    positions[featureIndex] = features.count
                    features.append(featureIndex)
                }
            }
            var out = BinaryWriter(capacity: 16 + 24 * features.count + 2 * order.count + bytes)
            out.write(PartitionAggregator.stateVersion)
            out.write(varint: UInt64(features.count))
            compiled.features.withUnsafeBufferPointer { compiledFeatures in
                for feature in features {
                    out.write(compiledFeatures[feature].key)
                    out.write(compiledFeatures[feature].aggregation.rawValue)
                }
            }
            out.write(varint: UInt64(order.count))
            for entry in order {
                let index = Int(entry)
                out.write(varint: UInt64(positions[keys[index].featureIndex]))
                out.append(raw: states[index].encoded)
            }
            return out.bytes
        }
    }
}

extension RollupGroupState {
    /// Fills the encoding cache.
    mutating func encode(key: RollupGroupKey) {
        // Moved out so the writer reuses the cache's storage without a copy.
        var out = BinaryWriter(reusing: &encoded, capacity: 48)
        PartitionAggregator.encodeGroup(key, self, to: &out)
        encoded = out.bytes
        encodedIsValid = true
    }
}
