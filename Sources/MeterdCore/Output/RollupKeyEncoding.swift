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
        var part = part
        return part.withUTF8 { utf8 in
            String(unsafeUninitializedCapacity: 3 * utf8.count) { buffer in
                guard let base = buffer.baseAddress else { return 0 }
                return writeEscaped(utf8, to: base) - base
            }
        }
    }

    /// The key's bytes; `sortedBreakdown` is `rollup.breakdown` sorted by raw name.
    ///
    /// Written into the array's memory directly: sized for the worst case
    /// (every byte escaped) up front, so no append checks capacity.
    static func bytes(of rollup: RollupRevision, sortedBreakdown: [RollupRevision.Dimension]) -> [UInt8] {
        var customer = rollup.customer
        var feature = rollup.feature
        return customer.withUTF8 { customer in
            feature.withUTF8 { feature in
                var bound = 2 + JSONNumberFormat.maxDecimalLength + 3 * (customer.count + feature.count)
                for dimension in sortedBreakdown {
                    bound += 2 + 3 * (dimension.name.utf8.count + dimension.value.utf8.count)
                }
                return [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
                    guard let base = buffer.baseAddress else { return }
                    var out = base
                    out = writeEscaped(customer, to: out)
                    out.pointee = UInt8(ascii: "/")
                    out = writeEscaped(feature, to: out + 1)
                    out.pointee = UInt8(ascii: "/")
                    out += 1
                    out += JSONNumberFormat.writeDecimal(rollup.windowStartMillis, to: out)
                    for dimension in sortedBreakdown {
                        out.pointee = UInt8(ascii: "/")
                        out = writeEscaped(dimension.name, to: out + 1)
                        out.pointee = UInt8(ascii: "=")
                        out = writeEscaped(dimension.value, to: out + 1)
                    }
                    initialized = out - base
                }
            }
        }
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

    private static func writeEscaped(_ part: String, to out: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var part = part
        return part.withUTF8 { writeEscaped($0, to: out) }
    }

    /// Writes `utf8` with `%`, `/`, `=` percent-encoded; returns the end of
    /// what it wrote (at most `3 * utf8.count` bytes).
    @inline(__always)
    private static func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to start: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var out = start
        for byte in utf8 {
            // `%` 0x25, `/` 0x2F and `=` 0x3D are all below 0x3E.
            if byte < 0x3E, byte == UInt8(ascii: "%") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=") {
                out[0] = UInt8(ascii: "%")
                out[1] = byte == UInt8(ascii: "%") ? UInt8(ascii: "2") : byte == UInt8(ascii: "/") ? UInt8(ascii: "2") : UInt8(ascii: "3")
                out[2] = byte == UInt8(ascii: "%") ? UInt8(ascii: "5") : byte == UInt8(ascii: "/") ? UInt8(ascii: "F") : UInt8(ascii: "D")
                out += 3
            } else {
                out.pointee = byte
                out += 1
            }
        }
        return out
    }
}
