extension JSONScanner {
    func scanLiteral(_ pos: inout Int, _ literal: StaticString) throws(JSONSyntaxError) {
        let n = literal.utf8CodeUnitCount
        guard count - pos >= n else {
            pos = count
            throw fail(.unexpectedEnd, at: pos)
        }
        let expected = literal.utf8Start
        for i in 0..<n where base[pos + i] != expected[i] {
            pos &+= i
            throw fail(.invalidLiteral, at: pos)
        }
        pos &+= n
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    ///
    /// Inlined for the common case, a positive integer without fraction or
    /// exponent; the full grammar runs out of line from the same position.
    @inline(__always)
    func scanNumber(_ pos: inout Int) throws(JSONSyntaxError) {
        var p = pos
        if base[p] &- UInt8(ascii: "1") < 9 {
            p &+= 1
            while isDigit(base[p]) { p &+= 1 }
            if base[p] != UInt8(ascii: ".") && base[p] | 0x20 != UInt8(ascii: "e") {
                pos = p
                return
            }
        }
        try scanNumberGrammar(&pos)
    }

    @inline(never)
    private func scanNumberGrammar(_ pos: inout Int) throws(JSONSyntaxError) {
        if base[pos] == UInt8(ascii: "-") { pos &+= 1 }
        guard pos < count, isDigit(base[pos]) else { throw fail(.invalidNumber, at: pos) }
        if base[pos] == UInt8(ascii: "0") {
            pos &+= 1
        } else {
            while pos < count, isDigit(base[pos]) { pos &+= 1 }
        }
        if pos < count, base[pos] == UInt8(ascii: ".") {
            pos &+= 1
            guard pos < count, isDigit(base[pos]) else { throw fail(.invalidNumber, at: pos) }
            while pos < count, isDigit(base[pos]) { pos &+= 1 }
        }
        if pos < count, base[pos] | 0x20 == UInt8(ascii: "e") {
            pos &+= 1
            if pos < count, base[pos] == UInt8(ascii: "+") || base[pos] == UInt8(ascii: "-") { pos &+= 1 }
            guard pos < count, isDigit(base[pos]) else { throw fail(.invalidNumber, at: pos) }
            while pos < count, isDigit(base[pos]) { pos &+= 1 }
        }
    }

    @inline(__always)
    private func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }
}
