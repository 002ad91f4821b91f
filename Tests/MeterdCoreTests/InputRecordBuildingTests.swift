@testable import MeterdCore
import Testing

/// Round 12 (perf10e) of the extraction hot path: the subject table's
/// word-at-a-time hash and the unpriced readings now appended in place.
@Suite struct InputRecordBuildingTests {
    /// Every key length from 0 to 40 (no load, one to three loads of 4 or 8
    /// bytes, overlapping tails), keys that differ in one byte at every
    /// position, and keys whose first and last 8 bytes agree.
    @Test func subjectTableFindsKeysThatDifferInOneByteAtAnyPosition() {
        var keys: [[UInt8]] = []
        for length in 0...40 {
            let base = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            keys.append(base)
            for position in 0..<length {
                var changed = base
                changed[position] = UInt8(ascii: "Z")
                keys.append(changed)
            }
        }
        var unique: [[UInt8]] = []
        for key in keys where !unique.contains(key) { unique.append(key) }
        let pairs = unique.enumerated().map { (String(decoding: $0.element, as: UTF8.self), "c\($0.offset)") }
        let table = SubjectTable(pairs)
        for (offset, key) in unique.enumerated() {
            #expect(key.withUnsafeBufferPointer { table.lookUp($0)?.customer } == "c\(offset)")
            var missing = key
            missing.append(UInt8(ascii: "!"))
            #expect(missing.withUnsafeBufferPointer { table.lookUp($0) } == nil)
            if !key.isEmpty {
                var other = key
                other[key.count / 2] = UInt8(ascii: "#")
                #expect(other.withUnsafeBufferPointer { table.lookUp($0) } == nil)
            }
        }
    }

    /// Each step (xor a word, multiply by an odd constant, xor-shift) is a
    /// bijection, so keys of one length that differ in any byte never collide.
    @Test func subjectHashDependsOnEveryByteOfShortKeysAndOnTheLength() {
        func hash(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBufferPointer { SubjectTable.hash($0) } }
        for length in 1...16 {
            let base = [UInt8](repeating: UInt8(ascii: "x"), count: length)
            let baseHash = hash(base)
            for position in 0..<length {
                var changed = base
                changed[position] = UInt8(ascii: "y")
                #expect(hash(changed) != baseHash, "length \(length), byte \(position)")
            }
        }
        #expect(hash([]) != hash([0]))
        #expect(hash([0, 0, 0, 0]) != hash([0, 0, 0, 0, 0]))
    }

    /// Subjects that differ only in their last bytes (`team-0` … `team-999`:
    /// the digits sit in the high bytes of a little-endian load) still spread
    /// over the buckets; a hash whose low bits ignore the high bytes put
    /// them in a few dozen long probe chains.
    @Test func subjectHashSpreadsNumberedSubjectsOverTheLowBits() {
        var buckets = Set<UInt64>()
        for i in 0..<1_000 {
            buckets.insert(Array("team-\(i)".utf8).withUnsafeBufferPointer { SubjectTable.hash($0) } & 2_047)
        }
        #expect(buckets.count > 700, "\(buckets.count) of 2,048 buckets used by 1,000 subjects")
    }

    @Test func aRejectedRecordLeavesEarlierUnpricedReadingsAlone() throws {
        let meters = [CostFixtures.costMeter, InputMeterValueTests.meter(.sum)]
        let extractor = try #require(CostFixtures.extractor(CostFixtures.configuration(meters: meters)))
        let earlier = UnpricedUsage(meter: "earlier", provider: nil, model: nil)
        var unpriced = [earlier]
        let priced = Array((CostFixtures.kong(provider: #""azure""#).dropLast() + #","v":1}"#).utf8)
        let rejected = Array((CostFixtures.kong(provider: #""azure""#).dropLast() + #","v":"abc"}"#).utf8)
        let first = priced.withUnsafeBytes { extractor.extract(value: $0, headers: [], recordTimestampMillis: 42, unpriced: &unpriced) }
        #expect(first.usage != nil)
        #expect(unpriced == [earlier, UnpricedUsage(meter: "llm_cost_usd", provider: "azure", model: "gpt-4o")])
        let second = rejected.withUnsafeBytes { extractor.extract(value: $0, headers: [], recordTimestampMillis: 42, unpriced: &unpriced) }
        #expect(second.rejectReason == .invalidValue)
        #expect(unpriced.count == 2, "the rejected record's unpriced reading is dropped, the earlier ones kept")
    }
}
