extension UsageExtractor {
    /// Writes `decoded`'s identity into the record, then evaluates `meters`
    /// (`usage(knownCustomer:meters:_:unpriced:cache:into:destination:)`).
    func usage<Destination: SampleDestination>(
        _ decoded: consuming EventEnvelope, meters: [CompiledMeter], _ values: SelectedValues, unpriced: inout [UnpricedUsage],
        cache: inout TextCache, into record: inout UsageRecord, destination: Destination
    ) throws(Rejection) {
        // Fields are moved out (`take`), not copied: each copy cost a retain and a release.
        var envelope = decoded
        record.subject = envelope.subject.take()
        record.source = envelope.source.take()
        record.eventID = envelope.id
        record.eventTimeMillis = envelope.eventTimeMillis
        try usage(
            knownCustomer: envelope.knownCustomer.take(), meters: meters, values, unpriced: &unpriced, cache: &cache,
            into: &record, destination: destination
        )
    }

    /// Resolves the customer of `record.subject` (unless the decoder already
    /// knew it) and evaluates `meters`: all of them or none, into the
    /// record's samples or, for `IntoEncodedSamples`, there in their encoding
    /// (`encodedUsage`). Cost meters without a price go to `unpriced` (the
    /// caller drops them again when the record is rejected).
    func usage<Destination: SampleDestination>(
        knownCustomer: String?, meters: [CompiledMeter], _ values: SelectedValues, unpriced: inout [UnpricedUsage],
        cache: inout TextCache, into record: inout UsageRecord, destination: Destination
    ) throws(Rejection) {
        guard let customer = knownCustomer ?? customers.customer(of: record.subject) else {
            throw Rejection(.unknownSubject, "subject \(record.subject) belongs to no customer")
        }
        if Destination.encodes, let encoded = destination.samples {
            try encodedUsage(meters: meters, values, customer: customer, unpriced: &unpriced, into: &encoded.pointee)
            record.keepSamples(0, sparing: &cache.spareSamples)
        } else {
            var overrides: CompiledPriceTable?
            var overridesResolved = false
            // The cache's interner is lent to the record's texts (swapped, not copied) and given back on every exit.
            var texts = DimensionTexts()
            swap(&texts.interner, &cache.interner)
            defer { swap(&texts.interner, &cache.interner) }
            // Samples are written over the record's own, reusing their dimension arrays.
            var count = 0
            for meter in meters {
                record.provideSample(at: count, from: &cache.spareSamples)
                do throws(InvalidValue) {
                    guard let cost = meter.cost else {
                        if try meter.sample(from: values, texts: &texts, into: &record.samples[count]) { count += 1 }
                        continue
                    }
                    if !overridesResolved {
                        overrides = prices.overrides(forCustomer: customer)
                        overridesResolved = true
                    }
                    switch try meter.costValue(cost, from: values, prices: prices, overrides: overrides) {
                    case .sampled(let amount):
                        try meter.fill(&record.samples[count], with: .number(amount), values, texts: &texts)
                        count += 1
                    case .noTokens: break
                    case .unpriced(let usage): unpriced.append(usage)
                    }
                } catch {
                    throw Rejection(.invalidValue, error.detail)
                }
            }
            record.keepSamples(count, sparing: &cache.spareSamples)
        }
        record.customer = customer
    }

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
