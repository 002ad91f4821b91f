import Testing
@testable import MeterdCore

/// A group's two recent subjects (inline copies checked before the sorted
/// list) must leave the list exactly what inserting every subject gives.
@Suite struct AggRecentSubjectsTests {
    @Test func recentSubjectsNeverHideANewSubject() {
        var rng = SeededGenerator(seed: 1204)
        // Small and heap strings, equal contents in different objects, and "".
        let base = ["team-1", "team-2", "", "a-gateway-consumer-with-a-long-name", "team-10", "ü-consumer"]
        for _ in 0..<200 {
            var group = RollupGroupState(accumulator: Accumulator(kind: .count))
            var model = Set<String>()
            for step in 0..<Int.random(in: 1...30, using: &rng) {
                let name = base[Int.random(in: 0..<(step < 10 ? 2 : base.count), using: &rng)]
                // A fresh copy of the contents now and then: same string, other bits.
                let subject = Bool.random(using: &rng) ? name : String(decoding: Array(name.utf8), as: UTF8.self)
                let record = UsageRecord(customer: "c", subject: subject, source: "s", id: "\(step)", eventTimeMillis: 0, samples: [])
                group.update(.none, record: record)
                model.insert(name)
                #expect(group.sortedSubjects == model.sorted(by: CompiledFeature.utf8Less))
                if let first = group.recentSubjects.0 { #expect(model.contains(first)) }
                if let second = group.recentSubjects.1 { #expect(model.contains(second)) }
            }
            #expect(group.accumulator.eventCount > 0)
        }
    }

    @Test func equalityIgnoresTheRecentSubjects() {
        var a = RollupGroupState(accumulator: Accumulator(kind: .count))
        var b = a
        for subject in ["x", "y"] {
            a.update(.none, record: UsageRecord(customer: "c", subject: subject, source: "s", id: subject, eventTimeMillis: 0, samples: []))
        }
        for subject in ["y", "x"] {
            b.update(.none, record: UsageRecord(customer: "c", subject: subject, source: "s", id: subject, eventTimeMillis: 0, samples: []))
        }
        #expect(a.recentSubjects.0 != b.recentSubjects.0)
        #expect(a == b)
    }
}
