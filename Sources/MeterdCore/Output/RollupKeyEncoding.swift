/// The `usage.rollups` record key of SPEC section 3:
/// `customer/feature/windowStartMillis[/dim=value…]`, breakdown dimensions
/// sorted by raw name, absent ones left out, and `%`, `/`, `=` in every
/// part percent-encoded with uppercase hex.
public enum RollupKeyEncoding {
    public static func key(of rollup: RollupRevision) -> String {
        String(decoding: bytes(of: rollup, sortedBreakdown: sortedBreakdown(rollup.breakdown)), as: UTF8.self)
    }

    /// Percent-encodes `%`, `/` and `=`; every other byte is kept.
    public static func escape(_ part: String) -> String {
        var bytes: [UInt8] = []
        appendEscaped(part, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The key's bytes; `sortedBreakdown` is `rollup.breakdown` sorted by raw name.
    static func bytes(of rollup: RollupRevision, sortedBreakdown: [RollupRevision.Dimension]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(48 + rollup.customer.utf8.count + rollup.feature.utf8.count + 24 * sortedBreakdown.count)
        appendEscaped(rollup.customer, to: &bytes)
        bytes.append(UInt8(ascii: "/"))
        appendEscaped(rollup.feature, to: &bytes)
        bytes.append(UInt8(ascii: "/"))
        JSONNumberFormat.appendDecimal(rollup.windowStartMillis, to: &bytes)
        for dimension in sortedBreakdown {
            bytes.append(UInt8(ascii: "/"))
            appendEscaped(dimension.name, to: &bytes)
            bytes.append(UInt8(ascii: "="))
            appendEscaped(dimension.value, to: &bytes)
        }
        return bytes
    }

    /// The dimensions sorted by raw (UTF-8) name; no copy when they already
    /// are, as `flush()` emits them.
    static func sortedBreakdown(_ breakdown: [RollupRevision.Dimension]) -> [RollupRevision.Dimension] {
        var sorted = true
        var index = 1
        while sorted, index < breakdown.count {
            sorted = !CompiledFeature.utf8Less(breakdown[index].name, breakdown[index - 1].name)
            index += 1
        }
        return sorted ? breakdown : breakdown.sorted(by: { CompiledFeature.utf8Less($0.name, $1.name) })
    }

    private static func appendEscaped(_ part: String, to bytes: inout [UInt8]) {
        var part = part
        part.withUTF8 { utf8 in
            var clean = 0
            var index = 0
            let raw = UnsafeRawBufferPointer(utf8)
            while index < utf8.count {
                // Eight bytes at a time while none is `%`, `/` or `=`.
                if index &+ 8 <= utf8.count {
                    let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    if !SWAR.hasByte(UInt8(ascii: "%"), word), !SWAR.hasByte(UInt8(ascii: "/"), word), !SWAR.hasByte(UInt8(ascii: "="), word) {
                        index &+= 8
                        continue
                    }
                }
                let byte = utf8[index]
                index &+= 1
                let escaped: (UInt8, UInt8)
                switch byte {
                case UInt8(ascii: "%"): escaped = (UInt8(ascii: "2"), UInt8(ascii: "5"))
                case UInt8(ascii: "/"): escaped = (UInt8(ascii: "2"), UInt8(ascii: "F"))
                case UInt8(ascii: "="): escaped = (UInt8(ascii: "3"), UInt8(ascii: "D"))
                default: continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean..<(index - 1)]))
                bytes.append(UInt8(ascii: "%"))
                bytes.append(escaped.0)
                bytes.append(escaped.1)
                clean = index
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean...]))
        }
    }
}
