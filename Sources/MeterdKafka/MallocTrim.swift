import Crdkafka
#if canImport(Glibc)
import Glibc
#endif

/// Keeps up to `trimThreshold` of freed memory in malloc's heaps instead of
/// handing it back to the kernel at once, and serves blocks up to
/// `mmapThreshold` from those heaps.
///
/// glibc's defaults return the free top of a heap above 128 KiB and map every
/// block above 128 KiB (a threshold that adapts, once such a block is freed)
/// freshly. meterd allocates and frees buffers of hundreds of KiB to a few
/// MiB all the time — librdkafka's fetch responses, repartition batches, a
/// commit's changelog records — so each cycle gave the memory back and then
/// faulted it in again, zeroed page by page: `perf` of an end-to-end run had
/// 2.6% of meterd's samples in the kernel's `clear_page_rep` and 1.0% in
/// `exc_page_fault`; `clear_page_rep` 0.8% with these settings
/// (docs/pipeline.md, "Freed memory stays in the heaps").
///
/// The cost is memory that stays mapped after a peak: up to `trimThreshold`
/// free at the top of each malloc arena (`meterd run` caps them at 8 with
/// `MallocArenas`), and blocks of 128 KiB to 32 MiB that used to be unmapped
/// when freed now return to their arena, where free space below the top is
/// reused but not given back. Peak RSS of the end-to-end benchmark stayed in
/// the same range with and without (208-244 MiB); it is an observation, not
/// a bound. A user's own setting wins: `MALLOC_TRIM_THRESHOLD_`,
/// `MALLOC_MMAP_THRESHOLD_`, or `GLIBC_TUNABLES` naming
/// `glibc.malloc.trim_threshold` or `glibc.malloc.mmap_threshold`.
public enum MallocTrim {
    /// Free memory at the top of a heap kept before any is returned to the kernel.
    public static let trimThreshold: Int32 = 64 << 20
    /// Blocks below this size come from the heaps instead of their own mapping.
    /// glibc refuses values above half its heap size (32 MiB on 64-bit, less
    /// with `glibc.malloc.hugetlb=2`); the trim threshold is set regardless.
    public static let mmapThreshold: Int32 = 32 << 20

    /// Whether to apply the thresholds, given the environment's values of
    /// `MALLOC_TRIM_THRESHOLD_`, `MALLOC_MMAP_THRESHOLD_` and `GLIBC_TUNABLES`.
    /// Pure, for tests.
    public static func shouldApply(trimVariable: String?, mmapVariable: String?, tunables: String?) -> Bool {
        guard trimVariable == nil, mmapVariable == nil else { return false }
        guard let tunables else { return true }
        return !tunables.split(separator: ":").contains {
            $0.hasPrefix("glibc.malloc.trim_threshold=") || $0.hasPrefix("glibc.malloc.mmap_threshold=")
        }
    }

    /// Applies the thresholds to this process unless the user set their own.
    /// Call once at start, before the processing threads allocate.
    /// - Returns: whether the trim threshold was applied (for the start-up
    ///   log); glibc may refuse the mmap threshold on its own (see `mmapThreshold`).
    @discardableResult
    public static func keepFreedMemory() -> Bool {
        #if canImport(Glibc)
        func variable(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
        guard shouldApply(
            trimVariable: variable("MALLOC_TRIM_THRESHOLD_"), mmapVariable: variable("MALLOC_MMAP_THRESHOLD_"),
            tunables: variable("GLIBC_TUNABLES")
        ) else { return false }
        _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
        return mallopt(M_TRIM_THRESHOLD, trimThreshold) == 1
        #else
        return false
        #endif
    }
}
