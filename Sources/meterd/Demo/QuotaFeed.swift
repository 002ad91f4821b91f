/// The quota events the demo has seen, in arrival order, each CloudEvent id
/// once: on the embedded broker an aborted transaction's records stay
/// visible (SPEC section 6), and a committed retry repeats them.
struct QuotaFeed: Sendable {
    private(set) var notices: [QuotaNotice] = []
    private var seen: Set<String> = []

    /// - Returns: false for a repeat of an event already shown.
    @discardableResult
    mutating func apply(_ notice: QuotaNotice) -> Bool {
        guard seen.insert(notice.id).inserted else { return false }
        notices.append(notice)
        return true
    }

    /// Events per type (`quota.threshold`, `quota.exceeded`, `quota.reset`).
    var countsByType: [String: Int] {
        notices.reduce(into: [:]) { $0[$1.type, default: 0] += 1 }
    }
}
