/// The configuration's flattened tables, as buffers for the ingest hot path:
/// reading a row of an array of arrays through an unsafe buffer retains and
/// releases the row, once per sample or matched feature.
struct HotPathTables {
    let meterFeatures: UnsafeBufferPointer<Int>
    let meterFeatureStarts: UnsafeBufferPointer<Int>
    let breakdownPositions: UnsafeBufferPointer<Int?>
    let breakdownStarts: UnsafeBufferPointer<Int>

    /// The indexes of the features reading meter `meterIndex` (`featuresByMeter`'s
    /// row); empty for an unknown meter.
    @inline(__always)
    func features(ofMeter meterIndex: Int) -> Slice<UnsafeBufferPointer<Int>> {
        guard meterIndex >= 0, meterIndex < meterFeatureStarts.count - 1 else { return meterFeatures[0..<0] }
        return meterFeatures[meterFeatureStarts[meterIndex]..<meterFeatureStarts[meterIndex + 1]]
    }

    /// Feature `featureIndex`'s `breakdownIndexes`.
    @inline(__always)
    func breakdownIndexes(ofFeature featureIndex: Int) -> UnsafeBufferPointer<Int?> {
        UnsafeBufferPointer(rebasing: breakdownPositions[breakdownStarts[featureIndex]..<breakdownStarts[featureIndex + 1]])
    }
}

extension CompiledConfiguration {
    /// Calls `body` with the flattened tables.
    @inline(__always)
    func withHotPathTables<R>(_ body: (HotPathTables) -> R) -> R {
        meterFeatures.withUnsafeBufferPointer { meterFeatures in
            meterFeatureStarts.withUnsafeBufferPointer { meterFeatureStarts in
                breakdownPositions.withUnsafeBufferPointer { breakdownPositions in
                    breakdownStarts.withUnsafeBufferPointer { breakdownStarts in
                        body(HotPathTables(
                            meterFeatures: meterFeatures, meterFeatureStarts: meterFeatureStarts,
                            breakdownPositions: breakdownPositions, breakdownStarts: breakdownStarts
                        ))
                    }
                }
            }
        }
    }
}
