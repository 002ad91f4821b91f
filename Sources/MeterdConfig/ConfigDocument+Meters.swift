import MeterdCore
import Yams

/// Reading `meters` and `features`.
extension YAMLNodeReader {
    mutating func meters(_ node: Node, at path: ConfigPath) -> [MeterDefinition] {
        guard let items = items(node, at: path) else { return [] }
        // An unreadable item keeps its place (as an empty stand-in) so that
        // the paths of later items match the document.
        return items.map { itemPath, item in meter(item, at: itemPath) ?? MeterDefinition(slug: "", eventType: "", aggregation: .count) }
    }

    private mutating func meter(_ node: Node, at path: ConfigPath) -> MeterDefinition? {
        let known = ["slug", "eventType", "aggregation", "valueProperty", "cost", "groupBy", "allowNegative"]
        guard let fields = fields(node, at: path, known: known) else { return nil }
        let valueProperty = string(fields, "valueProperty")
        let cost = fields["cost"].map { self.cost($0, at: path.key("cost")) }
        let aggregation = choice(fields, "aggregation", among: AggregationKind.allCases, required: true)
        var groupBy: [String: String] = [:]
        if let groupByNode = fields["groupBy"], let dimensions = self.fields(groupByNode, at: path.key("groupBy"), known: nil) {
            for name in dimensions.order {
                if let selector = string(dimensions, name, required: true) { groupBy[name] = selector }
            }
        }
        return MeterDefinition(
            slug: string(fields, "slug", required: true) ?? "",
            eventType: string(fields, "eventType", required: true) ?? "",
            // A neutral stand-in when the aggregation is unreadable, so that no
            // follow-on problem is reported about it (its own problem already is).
            aggregation: aggregation ?? (valueProperty == nil && cost == nil ? .count : .sum),
            valueProperty: valueProperty,
            groupBy: groupBy,
            allowNegative: bool(fields, "allowNegative") ?? false,
            cost: cost
        )
    }

    mutating func features(_ node: Node, at path: ConfigPath) -> [FeatureDefinition] {
        guard let items = items(node, at: path) else { return [] }
        return items.map { itemPath, item in feature(item, at: itemPath) ?? FeatureDefinition(key: "", meter: "") }
    }

    private mutating func feature(_ node: Node, at path: ConfigPath) -> FeatureDefinition? {
        guard let fields = fields(node, at: path, known: ["key", "meter", "filter", "breakdown"]) else { return nil }
        var filter: [String: [String]] = [:]
        if let filterNode = fields["filter"], let dimensions = self.fields(filterNode, at: path.key("filter"), known: nil) {
            for name in dimensions.order {
                if let valuesNode = dimensions[name], let values = strings(valuesNode, at: path.key("filter").key(name)) {
                    filter[name] = values
                }
            }
        }
        return FeatureDefinition(
            key: string(fields, "key", required: true) ?? "",
            meter: string(fields, "meter", required: true) ?? "",
            filter: filter,
            breakdown: strings(fields, "breakdown") ?? []
        )
    }
}
