/// The `usage.rollups` record key of SPEC section 3:
/// `customer/feature/windowStartMillis[/dim=value…]`, breakdown dimensions
/// sorted by raw name, absent ones left out, and `%`, `/`, `=` in every
/// part percent-encoded with uppercase hex.
public enum RollupKeyEncoding {
    public static func key(of rollup: RollupRevision) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        appendEscaped(rollup.customer, to: &bytes)
        bytes.append(UInt8(ascii: "/"))
        appendEscaped(rollup.feature, to: &bytes)
        bytes.append(UInt8(ascii: "/"))
        bytes.append(contentsOf: String(rollup.windowStartMillis).utf8)
        for dimension in rollup.breakdown.sorted(by: { CompiledFeature.utf8Less($0.name, $1.name) }) {
            bytes.append(UInt8(ascii: "/"))
            appendEscaped(dimension.name, to: &bytes)
            bytes.append(UInt8(ascii: "="))
            appendEscaped(dimension.value, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Percent-encodes `%`, `/` and `=`; every other byte is kept.
    public static func escape(_ part: String) -> String {
        var bytes: [UInt8] = []
        appendEscaped(part, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func appendEscaped(_ part: String, to bytes: inout [UInt8]) {
        for byte in part.utf8 {
            switch byte {
            case UInt8(ascii: "%"): bytes.append(contentsOf: Array("%25".utf8))
            case UInt8(ascii: "/"): bytes.append(contentsOf: Array("%2F".utf8))
            case UInt8(ascii: "="): bytes.append(contentsOf: Array("%3D".utf8))
            default: bytes.append(byte)
            }
        }
    }
}
