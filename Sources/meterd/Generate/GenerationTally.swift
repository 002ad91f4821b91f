import Synchronization

/// Counts of what `meterd generate` sent, by kind, and their progress and
/// summary lines.
struct GenerationTally: Sendable {
    var sent = 0
    var ai = 0
    var late = 0
    var duplicates = 0
    var malformed = 0

    mutating func count(_ kind: GeneratedEvent.Kind) {
        sent += 1
        switch kind {
        case .fresh(let isAI, let isLate):
            if isAI { ai += 1 }
            if isLate { late += 1 }
        case .duplicate:
            duplicates += 1
        case .malformed:
            malformed += 1
        }
    }

    /// `sent N (R/s), duplicates D, late L, malformed M`, R over the last interval.
    func progressLine(ratePerSecond: Double) -> String {
        "sent \(sent) (\(Int(ratePerSecond.rounded()))/s), duplicates \(duplicates), late \(late), malformed \(malformed)"
    }

    func summaryLine(elapsedSeconds: Double, delivered: Int, failed: Int) -> String {
        let rate = elapsedSeconds > 0 ? Double(sent) / elapsedSeconds : 0
        let elapsed = (elapsedSeconds * 100).rounded() / 100
        return "generated \(sent) events in \(elapsed) s (\(Int(rate.rounded()))/s): ai \(ai), duplicates \(duplicates), "
            + "late \(late), malformed \(malformed); delivered \(delivered), failed \(failed)"
    }
}

/// The generator's running tally, published by its sending thread and read
/// by another (the demo's screen) without blocking either for long.
final class LiveGenerationTally: Sendable {
    private let state = Mutex(GenerationTally())

    var snapshot: GenerationTally { state.withLock { $0 } }

    func publish(_ tally: GenerationTally) {
        state.withLock { $0 = tally }
    }
}
