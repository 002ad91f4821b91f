/// The running state of one rollup for any of OpenMeter's aggregations.
///
/// One flat struct rather than an enum with payloads: mutating an enum's
/// `Set` payload in place would copy it, and the unused fields cost no
/// allocation (empty arrays, sets and strings are free).
public struct Accumulator: Sendable, Equatable {
    // The count and the sum first, then the kind: with `RollupGroupState`'s
    // hot fields before it, what counting an event reads stays within the
    // state's first 80 bytes.
    /// Events counted into the rollup; the value of COUNT.
    public internal(set) var eventCount: Int64 = 0
    /// SUM and AVG.
    public internal(set) var sum = ExactSum()
    public let kind: AggregationKind
    /// MIN and MAX.
    public internal(set) var extreme: Double = 0
    /// LATEST: the value of the event with the greatest (time, id, value).
    public internal(set) var latestValue: Double = 0
    public internal(set) var latestTimeMillis: Int64 = .min
    public internal(set) var latestId: String = ""
    /// UNIQUE_COUNT: the distinct values.
    public internal(set) var distinct: Set<String> = []

    public init(kind: AggregationKind) { self.kind = kind }

    /// Counts one event. `value` has been validated for `kind` by
    /// `CompiledConfiguration.validate`.
    public mutating func add(_ value: SampleValue, eventTimeMillis: Int64, id: String) {
        add(value, eventTimeMillis: eventTimeMillis, id: EventID(id))
    }

    /// Counts one event; `id` breaks LATEST's ties.
    @inline(__always)
    public mutating func add(_ value: SampleValue, eventTimeMillis: Int64, id: EventID) {
        switch kind {
        case .count:
            break
        case .sum, .avg:
            sum.add(value.number)
        case .min:
            extreme = eventCount == 0 ? value.number : Swift.min(extreme, value.number)
        case .max:
            extreme = eventCount == 0 ? value.number : Swift.max(extreme, value.number)
        case .latest:
            let number = value.number
            if eventCount == 0 || Self.isLater(eventTimeMillis, id, number, than: latestTimeMillis, latestId, latestValue) {
                latestTimeMillis = eventTimeMillis
                latestId = id.description
                latestValue = number
            }
        case .uniqueCount:
            distinct.insert(value.text)
        }
        eventCount += 1
    }

    /// The rollup value per OpenMeter's meter semantics.
    public var value: Double {
        switch kind {
        case .count: Double(eventCount)
        case .sum: sum.value
        case .avg: eventCount == 0 ? 0 : sum.value / Double(eventCount)
        case .min, .max: extreme
        case .latest: latestValue
        case .uniqueCount: Double(distinct.count)
        }
    }

    /// Greatest (event time, id byte-wise, value) wins; the value only breaks
    /// exact ties so the result never depends on arrival order.
    static func isLater(_ time: Int64, _ id: EventID, _ value: Double, than otherTime: Int64, _ otherId: String, _ otherValue: Double) -> Bool {
        if time != otherTime { return time > otherTime }
        var otherId = otherId
        let order = otherId.withUTF8 { other in
            id.withUTF8 { mine in
                mine.elementsEqual(other) ? 0 : (other.lexicographicallyPrecedes(mine) ? 1 : -1)
            }
        }
        if order != 0 { return order > 0 }
        return value > otherValue
    }
}

extension SampleValue {
    /// The number of a validated numeric sample.
    var number: Double {
        if case .number(let value) = self { return value }
        return 0
    }

    /// The string of a validated UNIQUE_COUNT sample; numbers stringified as
    /// groupBy values are.
    var text: String {
        switch self {
        case .text(let value): value
        case .number(let value): JSONNumberFormat.string(value)
        case .none: ""
        }
    }
}
