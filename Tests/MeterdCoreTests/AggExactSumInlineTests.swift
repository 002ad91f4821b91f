import Testing
@testable import MeterdCore

/// `ExactSum` keeps its first partial inline and the rest in an array; its
/// partials, count, equality and restore must be those of one array.
@Suite struct AggExactSumInlineTests {
    @Test func inlineHeadBehavesAsOneArray() {
        var rng = SeededGenerator(seed: 1203)
        let terms: [Double] = [1, 3, 1e16, -1e16, 0.1, 0.2, 0.3, -0.1, 1e-300, 2.5e15, -7, 123_456_789.125, 1e100, -1e100]
        for round in 0..<400 {
            var sum = ExactSum()
            var added: [Double] = []
            for _ in 0..<Int.random(in: 0...40, using: &rng) {
                let term = terms[Int.random(in: 0..<terms.count, using: &rng)] * (round % 3 == 0 ? 1 : Double(Int.random(in: 1...9, using: &rng)))
                sum.add(term)
                added.append(term)
                let partials = sum.partials
                #expect(sum.partialCount == partials.count)
                var visited: [Double] = []
                sum.forEachPartial { visited.append($0) }
                #expect(visited == partials)
                #expect(ExactSum(partials: partials) == sum)
                #expect(ExactSum(partials: partials).value == sum.value)
            }
            // Order independence, the reason for the partials.
            var reversed = ExactSum()
            for term in added.reversed() { reversed.add(term) }
            #expect(reversed.value == sum.value)
        }
        #expect(ExactSum(partials: []) == ExactSum() && ExactSum().partialCount == 0 && ExactSum().partials.isEmpty)
        var cancelled = ExactSum()
        cancelled.add(1e16)
        cancelled.add(-1e16)
        #expect(cancelled.partials == [0] && cancelled != ExactSum())
    }
}
