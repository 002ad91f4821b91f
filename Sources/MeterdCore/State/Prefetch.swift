import CMeterdSIMD

/// Cache prefetch hints over arrays (`meterd_prefetch.h`). The ingest path
/// reads a customer's state from many heap objects that are usually out of
/// cache (a customer comes back every few hundred events); hinting a line
/// as soon as its address is known lets its miss overlap other work. The
/// address is computed from the array's storage pointer alone, without
/// reading its header, so asking costs no miss; an index past the end only
/// wastes the hint. Never changes a result.
///
/// The arrays are taken `inout` (never written): callers are mutating
/// methods, and a borrowed stored array there is often copied first, a
/// retain and release on the very line the hint is for.
enum Prefetch {
    /// Hints the lines holding `array[index]` (every line the element
    /// spans), for reading or, with `write`, for writing.
    @inline(__always)
    static func element<Element>(of array: inout [Element], at index: Int, write: Bool = false) {
        array.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            value(at: base + index, write: write)
        }
    }

    /// Hints the lines holding the value at `pointer` (every line it spans).
    @inline(__always)
    static func value<Value>(at pointer: UnsafePointer<Value>, write: Bool = false) {
        lines(from: UnsafeRawPointer(pointer), byteCount: MemoryLayout<Value>.size, write: write)
    }

    /// Hints the line of `array`'s header (its reference count and count,
    /// in the 32 bytes before the first element), which a mutating access
    /// (the uniqueness check), an append and `count` read first: a
    /// dependent miss of its own before the element's, in a large state.
    @inline(__always)
    static func header<Element>(of array: inout [Element], write: Bool = false) {
        array.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let elements = UnsafeRawPointer(base)
            // The reference count and the count: one line, or two when the header straddles one.
            hint(elements - 24, write: write)
            hint(elements - 16, write: write)
        }
    }

    /// Hints the lines holding `array[0..<count]` (`count` from what the
    /// caller knows of the array, e.g. the feature count of a per-feature
    /// table), at most the array's own elements.
    @inline(__always)
    static func elements<Element>(of array: inout [Element], count: Int) {
        array.withUnsafeBufferPointer { buffer in
            let count = min(count, buffer.count)
            guard let base = buffer.baseAddress, count > 0 else { return }
            lines(from: UnsafeRawPointer(base), byteCount: count * MemoryLayout<Element>.stride, write: false)
        }
    }

    /// Hints every line of the `byteCount` bytes at `start`: one hint per
    /// 64 bytes, and the last byte's line, which a range not aligned to a
    /// line reaches beyond the last step.
    @inline(__always)
    private static func lines(from start: UnsafeRawPointer, byteCount: Int, write: Bool) {
        var offset = 0
        while offset < byteCount {
            hint(start + offset, write: write)
            offset += 64
        }
        if byteCount > 1 { hint(start + (byteCount - 1), write: write) }
    }

    /// Hints the line holding `address`, for reading or, with `write`, for writing.
    @inline(__always)
    static func hint(_ address: UnsafeRawPointer, write: Bool) {
        if write { meterd_prefetch_write(address) } else { meterd_prefetch(address) }
    }
}
