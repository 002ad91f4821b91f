extension CustomerWindowState {
    /// The value of the window's state record (see `StateRecordCoding`):
    /// the features its groups use (key and aggregation, once each), then
    /// each group's feature position and encoding. Only groups changed since
    /// their last encoding are encoded again; the others are copied from
    /// their cache, which this fills.
    mutating func encodeRecord(compiled: CompiledConfiguration) -> [UInt8] {
        // Ordered by the keys' fingerprints (ties by value): deterministic, and
        // integer compares instead of string compares on every commit.
        // Groups are reached only through mutating calls on `groups[stateAt:]`,
        // which work in place: reading one would copy the group (a retain per field).
        var order: [(fingerprint: UInt64, featureIndex: Int, index: Int)] = []
        order.reserveCapacity(groups.count)
        var bytes = 0
        let keys = groups.keys
        keys.withUnsafeBufferPointer { keys in
            for index in keys.indices {
                var count = groups[stateAt: index].encodedCount()
                if count == 0 { count = groups[stateAt: index].encode(key: keys[index]) }
                bytes += count
                order.append((keys[index].fingerprint, keys[index].featureIndex, index))
            }
            order.sort { a, b in
                a.fingerprint != b.fingerprint ? a.fingerprint < b.fingerprint : RollupGroupKey.less(keys[a.index], keys[b.index])
            }
        }
        var positions = [Int](repeating: -1, count: compiled.features.count)
        var features: [Int] = []
        for entry in order where positions[entry.featureIndex] < 0 {
            positions[entry.featureIndex] = features.count
            features.append(entry.featureIndex)
        }
        var out = BinaryWriter(capacity: 16 + 24 * features.count + 2 * order.count + bytes)
        out.write(PartitionAggregator.stateVersion)
        out.write(varint: UInt64(features.count))
        for feature in features {
            out.write(compiled.features[feature].key)
            out.write(compiled.features[feature].aggregation.rawValue)
        }
        out.write(varint: UInt64(order.count))
        for entry in order {
            out.write(varint: UInt64(positions[entry.featureIndex]))
            groups[stateAt: entry.index].appendEncoded(to: &out)
        }
        return out.bytes
    }
}

extension RollupGroupState {
    mutating func encodedCount() -> Int { encoded.count }

    /// Fills the encoding cache; returns its size.
    mutating func encode(key: RollupGroupKey) -> Int {
        // Moved out so the writer reuses the cache's storage without a copy.
        var out = BinaryWriter(reusing: &encoded, capacity: 48)
        PartitionAggregator.encodeGroup(key, self, to: &out)
        encoded = out.bytes
        return encoded.count
    }

    mutating func appendEncoded(to out: inout BinaryWriter) { out.append(raw: encoded) }
}
