/// Differences between what meterd wrote and what the oracle expects; empty
/// when they agree. Each line names one key, identity or coordinate.
struct OutputComparison {
    private(set) var differences: [String] = []
    private(set) var differenceCount = 0

    var isEmpty: Bool { differenceCount == 0 }

    init(reader: OutputReader, oracle: UsageOracle) {
        for (key, expected) in oracle.rollups {
            guard let actual = reader.rollups[key] else {
                note("missing rollup \(key) (\(expected))")
                continue
            }
            if actual.value != expected { note("rollup \(key): expected \(expected), got \(actual.value) (revision \(actual.revision))") }
            if !actual.fieldsMatchKey { note("rollup \(key): customer/feature/windowStart/type do not match its key") }
            if actual.revision < 1 { note("rollup \(key): revision \(actual.revision)") }
        }
        for key in reader.rollups.keys where oracle.rollups[key] == nil {
            note("unexpected rollup \(key)")
        }
        let actualQuota = Set(reader.quota.keys)
        for identity in oracle.quota.subtracting(actualQuota).sorted() { note("missing quota event \(identity)") }
        for identity in actualQuota.subtracting(oracle.quota).sorted() { note("unexpected quota event \(identity)") }
        for (identity, expected) in oracle.deadLetters.sorted(by: { $0.key < $1.key }) {
            guard let actual = reader.deadLetters[identity] else {
                note("missing dead letter \(identity)")
                continue
            }
            if actual.key != expected.key || actual.value != expected.value { note("dead letter \(identity): key or value differs from the original record") }
        }
        for identity in reader.deadLetters.keys.sorted() where oracle.deadLetters[identity] == nil {
            note("unexpected dead letter \(identity)")
        }
        for problem in reader.problems { note(problem) }
    }

    private mutating func note(_ line: String) {
        differenceCount += 1
        if differences.count < 25 { differences.append(line) }
    }

    var summary: String {
        isEmpty ? "outputs equal the oracle" : "\(differenceCount) differences:\n" + differences.joined(separator: "\n")
    }
}
