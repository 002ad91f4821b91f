/// One price table (`prices.models` or a customer's `prices`) compiled for
/// lookups straight from record bytes, so pricing an event builds no String.
///
/// Matching: the provider exactly; then the model exactly, else the longest
/// `prefix*` entry the model starts with. Names are compared byte-wise, so
/// case matters. When an entry repeats (validation reports it), the first wins.
struct CompiledPriceTable: Sendable {
    /// Prices per million tokens.
    struct Price: Sendable, Equatable {
        let input: Double
        let output: Double
    }

    private struct PrefixPrice: Sendable {
        let prefix: [UInt8]
        let price: Price
    }

    private struct ProviderPrices: Sendable {
        let name: [UInt8]
        /// Exact model names sorted byte-wise; `exactPrices` in the same order.
        var exactNames: [[UInt8]] = []
        var exactPrices: [Price] = []
        /// Wildcard entries, longest prefix first.
        var prefixes: [PrefixPrice] = []
    }

    private let providers: [ProviderPrices]

    init(_ entries: [ModelPrice]) {
        var order: [String] = []
        var exact: [String: [(name: [UInt8], price: Price)]] = [:]
        var prefixes: [String: [PrefixPrice]] = [:]
        var seen: Set<[String]> = []
        for entry in entries where seen.insert([entry.provider, entry.model]).inserted {
            if exact[entry.provider] == nil {
                order.append(entry.provider)
                exact[entry.provider] = []
                prefixes[entry.provider] = []
            }
            let price = Price(input: entry.input, output: entry.output)
            if entry.isWildcard {
                prefixes[entry.provider, default: []].append(PrefixPrice(prefix: Array(entry.model.utf8.dropLast()), price: price))
            } else {
                exact[entry.provider, default: []].append((Array(entry.model.utf8), price))
            }
        }
        providers = order.map { provider in
            var compiled = ProviderPrices(name: Array(provider.utf8))
            let sorted = (exact[provider] ?? []).sorted { $0.name.lexicographicallyPrecedes($1.name) }
            compiled.exactNames = sorted.map(\.name)
            compiled.exactPrices = sorted.map(\.price)
            compiled.prefixes = (prefixes[provider] ?? []).sorted { $0.prefix.count > $1.prefix.count }
            return compiled
        }
    }

    var isEmpty: Bool { providers.isEmpty }

    /// The price of `model` from `provider` (UTF-8 bytes), nil when no entry matches.
    func price(provider: UnsafeBufferPointer<UInt8>, model: UnsafeBufferPointer<UInt8>) -> Price? {
        guard let prices = providers.first(where: { $0.name.elementsEqual(provider) }) else { return nil }
        var low = 0
        var high = prices.exactNames.count
        while low < high {
            let middle = (low + high) / 2
            if prices.exactNames[middle].lexicographicallyPrecedes(model) { low = middle + 1 } else { high = middle }
        }
        if low < prices.exactNames.count, prices.exactNames[low].elementsEqual(model) { return prices.exactPrices[low] }
        for entry in prices.prefixes where model.starts(with: entry.prefix) { return entry.price }
        return nil
    }
}

/// The price table and every customer's overrides, compiled once per
/// configuration: the extractor picks a customer's overrides once per record.
struct PriceBook: Sendable {
    let table: CompiledPriceTable
    private let overridesByCustomer: [String: CompiledPriceTable]

    init(configuration: MeterdConfiguration) {
        table = CompiledPriceTable(configuration.prices.models)
        var overrides: [String: CompiledPriceTable] = [:]
        for customer in configuration.customers where overrides[customer.key] == nil && !customer.prices.isEmpty {
            overrides[customer.key] = CompiledPriceTable(customer.prices)
        }
        overridesByCustomer = overrides
    }

    /// The compiled `prices` of configured customer `customer`, if it has any.
    func overrides(forCustomer customer: String) -> CompiledPriceTable? {
        overridesByCustomer.isEmpty ? nil : overridesByCustomer[customer]
    }

    /// A customer's own price where one matches, else the table's.
    func price(
        provider: UnsafeBufferPointer<UInt8>, model: UnsafeBufferPointer<UInt8>, overrides: CompiledPriceTable?
    ) -> CompiledPriceTable.Price? {
        if let overrides, let price = overrides.price(provider: provider, model: model) { return price }
        return table.price(provider: provider, model: model)
    }
}
