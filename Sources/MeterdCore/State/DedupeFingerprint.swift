/// The dedupe identity of an event within one customer: a 128-bit
/// fingerprint of its (source, id), persisted in state records.
///
/// Two 64-bit lanes with different seeds and multipliers run over the
/// length-prefixed UTF-8 bytes of source then id, a word at a time, each
/// finished by the MurmurHash3 avalanche. Deterministic and part of the
/// state format: changing it invalidates stored dedupe entries. Two distinct
/// (source, id) pairs share a fingerprint with probability about 2⁻¹²⁸, so
/// among n live ids of a customer a false duplicate has probability
/// ≤ n² / 2¹²⁹ (< 1e-22 at n = 1e8).
public struct DedupeFingerprint: Sendable, Hashable {
    public let low: UInt64
    public let high: UInt64

    public init(source: String, id: String) {
        self.init(source: source, id: EventID(id))
    }

    // Borrowed: an initializer's parameters are owned by default, which
    // made every caller copy the id (and retain the source) per event.
    public init(source: borrowing String, id: borrowing EventID) {
        var a: UInt64 = 0x243F_6A88_85A3_08D3
        var b: UInt64 = 0x1319_8A2E_0370_7344
        var lanes = (a, b)
        FingerprintWords.fold(source, into: &lanes, Self.step)
        id.foldFingerprintWords(into: &lanes, Self.step)
        (a, b) = lanes
        self.init(low: Self.avalanche(a), high: Self.avalanche(b))
    }

    /// A stored fingerprint; (0, 0) is reserved for empty table slots and is
    /// read as (1, 0), like a computed one.
    init(low: UInt64, high: UInt64) {
        self.low = low | high == 0 ? 1 : low
        self.high = high
    }

    /// The empty-slot marker of `FingerprintSet`; never a real fingerprint.
    static let empty = DedupeFingerprint(unchecked: 0, 0)

    private init(unchecked low: UInt64, _ high: UInt64) {
        self.low = low
        self.high = high
    }

    var isEmpty: Bool { low | high == 0 }

    @inline(__always)
    private static func mixB(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        let product = (hash ^ word).multipliedFullWidth(by: 0xD6E8_FEB8_6659_FD93)
        return product.high ^ product.low
    }

    /// Absorbs one word into both lanes: lane A is `Fingerprint`'s mix,
    /// lane B the same with another multiplier.
    @inline(__always)
    private static func step(_ lanes: inout (UInt64, UInt64), _ word: UInt64) {
        lanes = (Fingerprint.mix(lanes.0, word), mixB(lanes.1, word))
    }

    private static func avalanche(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x &*= 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x &*= 0xC4CE_B9FE_1A85_EC53
        return x ^ (x >> 33)
    }
}
