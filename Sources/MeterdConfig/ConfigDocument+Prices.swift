import MeterdCore
import Yams

/// Reading `prices`, customers' `prices` and a meter's `cost`.
extension YAMLNodeReader {
    static let modelPriceKeys = ["provider", "model", "input", "output"]
    static let costKeys = ["inputTokens", "outputTokens", "provider", "model"]

    mutating func prices(_ node: Node, at path: ConfigPath) -> PriceTable {
        var table = PriceTable()
        guard let fields = fields(node, at: path, known: ["currency", "models"]) else { return table }
        if let currency = string(fields, "currency") { table.currency = currency }
        if let models = fields["models"] { table.models = modelPrices(models, at: path.key("models")) }
        return table
    }

    /// A list of `{ provider, model, input, output }`, every key required.
    mutating func modelPrices(_ node: Node, at path: ConfigPath) -> [ModelPrice] {
        guard let items = items(node, at: path) else { return [] }
        // An unreadable item keeps its place (as an empty stand-in whose
        // follow-on problems lie inside the reported path) so later paths match.
        return items.map { itemPath, item in
            guard let fields = fields(item, at: itemPath, known: Self.modelPriceKeys) else {
                return ModelPrice(provider: "", model: "", input: 0, output: 0)
            }
            return ModelPrice(
                provider: string(fields, "provider", required: true) ?? "",
                model: string(fields, "model", required: true) ?? "",
                input: number(fields, "input", required: true) ?? 0,
                output: number(fields, "output", required: true) ?? 0
            )
        }
    }

    /// `cost: {}` (or with any of its selectors) makes a cost meter; a
    /// selector left out reads the Kong AI proxy field.
    mutating func cost(_ node: Node, at path: ConfigPath) -> CostSelectors {
        var cost = CostSelectors()
        guard let fields = fields(node, at: path, known: Self.costKeys) else { return cost }
        if let selector = string(fields, "inputTokens") { cost.inputTokens = selector }
        if let selector = string(fields, "outputTokens") { cost.outputTokens = selector }
        if let selector = string(fields, "provider") { cost.provider = selector }
        if let selector = string(fields, "model") { cost.model = selector }
        return cost
    }
}
