import Testing
@testable import MeterdCore

@Suite struct AggAccumulatorTests {
    private func run(_ kind: AggregationKind, _ values: [(SampleValue, Int64, String)]) -> Accumulator {
        var accumulator = Accumulator(kind: kind)
        for (value, time, id) in values { accumulator.add(value, eventTimeMillis: time, id: id) }
        return accumulator
    }

    @Test func countCountsEvents() {
        let acc = run(.count, [(.none, 1, "a"), (.none, 2, "b"), (.number(9), 3, "c")])
        #expect(acc.value == 3)
        #expect(acc.eventCount == 3)
    }

    @Test func sumAddsValues() {
        let acc = run(.sum, [(.number(1.5), 1, "a"), (.number(2), 2, "b"), (.number(0), 3, "c")])
        #expect(acc.value == 3.5)
        #expect(acc.eventCount == 3)
    }

    @Test func uniqueCountCountsDistinctStrings() {
        let acc = run(.uniqueCount, [(.text("u1"), 1, "a"), (.text("u2"), 2, "b"), (.text("u1"), 3, "c"), (.number(200), 4, "d"), (.text("200"), 5, "e")])
        #expect(acc.value == 3)
        #expect(acc.eventCount == 5)
    }

    @Test func avgIsSumOverCount() {
        let acc = run(.avg, [(.number(1), 1, "a"), (.number(2), 2, "b"), (.number(6), 3, "c")])
        #expect(acc.value == 3)
    }

    @Test func minAndMaxIncludingNegativeValues() {
        let values: [(SampleValue, Int64, String)] = [(.number(-2), 1, "a"), (.number(7), 2, "b"), (.number(3), 3, "c")]
        #expect(run(.min, values).value == -2)
        #expect(run(.max, values).value == 7)
        #expect(run(.min, [(.number(5), 1, "a")]).value == 5)
        #expect(run(.max, [(.number(-5), 1, "a")]).value == -5)
    }

    @Test func latestTakesGreatestTimeThenIdByteWise() {
        #expect(run(.latest, [(.number(1), 10, "a"), (.number(2), 30, "b"), (.number(3), 20, "c")]).value == 2)
        // Same time: the byte-wise greater id wins ("b" > "B" > "A"), whatever the order.
        let tied: [(SampleValue, Int64, String)] = [(.number(1), 10, "B"), (.number(2), 10, "b"), (.number(3), 10, "A")]
        #expect(run(.latest, tied).value == 2)
        #expect(run(.latest, tied.reversed()).value == 2)
        // Byte-wise, not Unicode-collation: "é" (0xC3…) sorts after "z".
        #expect(run(.latest, [(.number(1), 10, "é"), (.number(2), 10, "z")]).value == 1)
    }

    @Test func exactSumDoesNotDependOnOrder() {
        let terms = [0.1, 0.2, 0.3, 1e-17, 0.7, 3.3333333]
        var sums = Set<Double>()
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<50 {
            var sum = ExactSum()
            for term in terms.shuffled(using: &generator) { sum.add(term) }
            sums.insert(sum.value)
        }
        #expect(sums.count == 1)
        // Naive summation loses the 1 entirely here.
        var cancelling = ExactSum()
        for term in [1e100, 1.0, -1e100] { cancelling.add(term) }
        #expect(cancelling.value == 1)
        #expect(ExactSum().value == 0)
    }

    @Test func exactSumIsCorrectlyRounded() {
        var sum = ExactSum()
        for _ in 0..<10 { sum.add(0.1) }
        #expect(sum.value == 1.0)
        var naive = 0.0
        for _ in 0..<10 { naive += 0.1 }
        #expect(naive != 1.0)
    }
}

/// SplitMix64: a seeded, platform-independent generator for tests.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
