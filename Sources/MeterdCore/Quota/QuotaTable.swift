/// A customer's quota state per feature: an array indexed by feature index
/// (features are few), so the hot path reaches a feature's state without
/// hashing. Reads like a `[featureIndex: FeatureQuotaState]` dictionary.
public struct QuotaTable: Sendable, Equatable, Sequence {
    private var states: [FeatureQuotaState?] = []
    /// Features with state.
    public private(set) var count = 0

    public init() {}

    public init(_ quotas: [Int: FeatureQuotaState]) {
        for (featureIndex, state) in quotas where featureIndex >= 0 { self[featureIndex] = state }
    }

    public var isEmpty: Bool { count == 0 }

    /// Feature indexes with state, ascending.
    public var keys: [Int] { states.indices.filter { states[$0] != nil } }

    public var values: [FeatureQuotaState] { states.compactMap { $0 } }

    public subscript(featureIndex: Int) -> FeatureQuotaState? {
        get { featureIndex >= 0 && featureIndex < states.count ? states[featureIndex] : nil }
        set {
            guard featureIndex >= 0 else { return }
            if featureIndex >= states.count {
                guard newValue != nil else { return }
                states.append(contentsOf: repeatElement(nil, count: featureIndex + 1 - states.count))
            }
            count += (newValue != nil ? 1 : 0) - (states[featureIndex] != nil ? 1 : 0)
            states[featureIndex] = newValue
            if count == 0 { states = [] }
        }
    }

    /// Hints the cache lines of the states of the first `featureCount`
    /// features (see `Prefetch`; `mutating` only to reach them in place).
    @inline(__always)
    mutating func prefetch(featureCount: Int) {
        Prefetch.elements(of: &states, count: featureCount)
    }

    /// Runs `body` on the state of `featureIndex` in place, creating it if absent.
    @inline(__always)
    mutating func update<R>(_ featureIndex: Int, _ body: (inout FeatureQuotaState) -> R) -> R {
        if featureIndex >= states.count { states.append(contentsOf: repeatElement(nil, count: featureIndex + 1 - states.count)) }
        if states[featureIndex] == nil {
            states[featureIndex] = FeatureQuotaState()
            count += 1
        }
        return Self.apply(&states[featureIndex], body)
    }

    @inline(__always)
    private static func apply<R>(_ state: inout FeatureQuotaState?, _ body: (inout FeatureQuotaState) -> R) -> R {
        // Unwrapped in place: `state!.…` would be a force unwrap, `if var` a copy.
        switch state {
        case .some:
            var unwrapped = state.take() ?? FeatureQuotaState()
            defer { state = unwrapped }
            return body(&unwrapped)
        case .none:
            var created = FeatureQuotaState()
            defer { state = created }
            return body(&created)
        }
    }

    public func makeIterator() -> some IteratorProtocol<(key: Int, value: FeatureQuotaState)> {
        states.enumerated().lazy.compactMap { entry in entry.element.map { (key: entry.offset, value: $0) } }.makeIterator()
    }

    public static func == (a: QuotaTable, b: QuotaTable) -> Bool {
        guard a.count == b.count else { return false }
        for index in 0..<Swift.max(a.states.count, b.states.count) where a[index] != b[index] { return false }
        return true
    }
}
