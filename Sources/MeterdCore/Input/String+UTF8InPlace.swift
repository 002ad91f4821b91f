extension String {
    /// Calls `body` with the string's UTF-8 bytes: read in place for native
    /// strings (no copy, so no retain and release), through a copy for the
    /// others (`withUTF8` needs a mutable string).
    @inline(__always)
    func withUTF8InPlace<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return try copy.withUTF8(body)
    }
}
