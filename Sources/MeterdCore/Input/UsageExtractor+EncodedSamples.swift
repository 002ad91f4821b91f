extension UsageExtractor {
    /// The samples `usage` writes into the record, appended to `encoded` in
    /// their encoding instead, without building the dimension strings.
    func encodedUsage(
        meters: [CompiledMeter], _ values: SelectedValues, customer: String, unpriced: inout [UnpricedUsage],
        into encoded: inout EncodedSamples
    ) throws(Rejection) {
        var overrides: CompiledPriceTable?
        var overridesResolved = false
        for meter in meters {
            do throws(InvalidValue) {
                guard let cost = meter.cost else {
                    _ = try meter.encodeSample(from: values, into: &encoded)
                    continue
                }
                if !overridesResolved {
                    overrides = prices.overrides(forCustomer: customer)
                    overridesResolved = true
                }
                switch try meter.costValue(cost, from: values, prices: prices, overrides: overrides) {
                case .sampled(let amount): try meter.encode(.number(amount), values, into: &encoded)
                case .noTokens: break
                case .unpriced(let usage): unpriced.append(usage)
                }
            } catch {
                throw Rejection(.invalidValue, error.detail)
            }
        }
    }
}

/// Where `UsageExtractor` writes a record's samples.
protocol SampleDestination {
    /// Whether the samples go to `samples` in their encoding (a constant per
    /// type: the branch is decided when the generic path is specialized).
    static var encodes: Bool { get }
    var samples: UnsafeMutablePointer<EncodedSamples>? { get }
}

/// Into the record itself, as `MeterSample`s.
struct IntoRecord: SampleDestination {
    static var encodes: Bool { false }
    var samples: UnsafeMutablePointer<EncodedSamples>? { nil }
}

/// Into `EncodedSamples`, the record's own left empty.
struct IntoEncodedSamples: SampleDestination {
    static var encodes: Bool { true }
    let samples: UnsafeMutablePointer<EncodedSamples>?
}
