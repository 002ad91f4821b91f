import Testing
@testable import MeterdCore

/// `SlotTable` (customers, windows) against dictionary models, and the
/// fingerprint's word-load tail against a byte-by-byte reference.
@Suite struct StateSlotTableTests {
    private static func state(_ marker: Int) -> CustomerState {
        var state = CustomerState()
        state.windows[Int64(marker)] = CustomerWindowState()
        return state
    }

    @Test func matchesADictionaryUnderRandomInsertsUpdatesAndRemovals() {
        var rng = SeededGenerator(seed: 11)
        var table = CustomerTable()
        var model: [String: CustomerState] = [:]
        // Long and short keys (small and heap strings), 300 of them, so the
        // table grows, probes collide and removals shift buckets back.
        let keys = (0..<300).map { $0 % 3 == 0 ? "customer-\($0)" : "a-much-longer-customer-key-\($0)" }
        for step in 0..<20_000 {
            let key = keys[Int.random(in: 0..<keys.count, using: &rng)]
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<4:
                table[key, default: CustomerState()].windows[Int64(step)] = CustomerWindowState()
                model[key, default: CustomerState()].windows[Int64(step)] = CustomerWindowState()
            case 4..<6:
                let slot = table.slot(of: key, default: Self.state(step))
                if model[key] == nil { model[key] = Self.state(step) }
                #expect(table.keys[slot] == key)
            case 6..<8:
                #expect(table.removeValue(forKey: key) == model.removeValue(forKey: key))
            case 8:
                table[key] = nil
                model[key] = nil
            default:
                table[key]?.windows[-1] = CustomerWindowState()
                model[key]?.windows[-1] = CustomerWindowState()
            }
            #expect(table.count == model.count)
        }
        #expect(model.count > 50)
        for key in keys {
            #expect(table[key] == model[key], "\(key)")
            #expect(table.index(forKey: key).map { table.keys[$0] } == (model[key] == nil ? nil : key))
        }
        #expect(Set(table.keys) == Set(model.keys))
        for (key, value) in table { #expect(model[key] == value) }
        var rebuilt = CustomerTable()
        for (key, value) in model { rebuilt[key] = value }
        #expect(rebuilt == table)
        rebuilt[keys[0], default: CustomerState()].windows[-2] = CustomerWindowState()
        #expect(rebuilt != table)
    }

    @Test func windowTableMatchesADictionary() {
        var rng = SeededGenerator(seed: 12)
        var table = WindowTable()
        var model: [Int64: CustomerWindowState] = [:]
        for step in 0..<10_000 {
            // Window starts a minute apart, negative ones too, as the aggregator keys them.
            let start = Int64.random(in: -40..<200, using: &rng) * 60_000
            let window = CustomerWindowState(dedupe: [DedupeFingerprint(low: UInt64(step), high: 1)])
            switch Int.random(in: 0..<4, using: &rng) {
            case 0, 1:
                table[start] = window
                model[start] = window
            case 2:
                #expect(table.removeValue(forKey: start) == model.removeValue(forKey: start))
            default:
                let slot = table.slot(of: start, default: window)
                if model[start] == nil { model[start] = window }
                #expect(table.values[slot] == model[start])
            }
        }
        #expect(table.count == model.count)
        for (start, window) in model { #expect(table[start] == window) }
    }

    /// A key whose hash takes four values, one of them the last bucket
    /// whatever the table's size, so runs are long and wrap around the end.
    private struct CollidingKey: SlotTableKey, Hashable {
        let id: Int
        var slotHash: UInt64 { [UInt64.max, 0, 0x8000_0000_0000_0000, 0x5555_5555_5555_5555][id % 4] }
    }

    private struct Marker: SlotTableValue {
        var value = 0
    }

    @Test("colliding keys in long, wrapping probe runs: inserts, updates and backward-shift removals match a dictionary")
    func collidingKeysMatchADictionary() {
        var rng = SeededGenerator(seed: 13)
        var table = SlotTable<CollidingKey, Marker>()
        var model: [CollidingKey: Marker] = [:]
        for step in 0..<20_000 {
            let key = CollidingKey(id: Int.random(in: 0..<160, using: &rng))
            switch Int.random(in: 0..<5, using: &rng) {
            case 0, 1:
                #expect(table.removeValue(forKey: key) == model.removeValue(forKey: key))
            case 2:
                table[key, default: Marker()].value += step
                model[key, default: Marker()].value += step
            default:
                table[key] = Marker(value: step)
                model[key] = Marker(value: step)
            }
            #expect(table.count == model.count)
        }
        #expect(model.count > 40)
        for id in 0..<160 {
            let key = CollidingKey(id: id)
            #expect(table[key] == model[key], "key \(id)")
            #expect(table.index(forKey: key).map { table.keys[$0] } == (model[key] == nil ? nil : key))
        }
    }

    @Test func emptiesAndRefills() {
        var table = CustomerTable()
        for round in 0..<3 {
            for n in 0..<40 { table["c\(n)"] = Self.state(round) }
            #expect(table.count == 40)
            for n in 0..<40 { #expect(table.removeValue(forKey: "c\(n)") == Self.state(round)) }
            #expect(table.isEmpty)
            #expect(table["c0"] == nil)
        }
    }

    @Test("raw bytes of every value (NUL, 0x80-0xFF) fold as the byte reference does, at every length 0-40")
    func rawByteFoldsEqualTheByteReference() {
        var rng = SeededGenerator(seed: 6)
        for length in 0...40 {
            for _ in 0..<8 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...0xFF, using: &rng) }
                var hash: UInt64 = 77
                bytes.withUnsafeBufferPointer { FingerprintWords.fold($0, into: &hash) { hash, word in hash = Fingerprint.mix(hash, word) } }
                #expect(hash == FingerprintReference.of(bytes, 77), "length \(length)")
            }
        }
    }

    @Test func fingerprintTailsEqualTheByteReferenceAtEveryLength() {
        var rng = SeededGenerator(seed: 5)
        for length in 0...40 {
            for _ in 0..<8 {
                // Bytes 0x01...0x7F (and 0xFF-free ASCII), so every String keeps its bytes.
                let bytes = (0..<length).map { _ in UInt8.random(in: 1...0x7F, using: &rng) }
                let text = String(decoding: bytes, as: UTF8.self)
                #expect(Fingerprint.of(text, 9) == FingerprintReference.of(bytes, 9), "length \(length)")
                let shifted = String(("xyz" + text).dropFirst(3))
                #expect(Fingerprint.of(shifted, 9) == FingerprintReference.of(bytes, 9), "length \(length), shared storage")
            }
        }
    }
}
