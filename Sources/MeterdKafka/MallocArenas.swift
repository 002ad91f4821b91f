import Crdkafka
#if canImport(Glibc)
import Glibc
#endif

/// glibc gives every thread that allocates its own malloc arena (up to 8 per
/// core), and each arena keeps the memory freed into it; threads beyond the
/// limit share arenas, and every allocation or free in a shared arena takes
/// its lock. meterd's threads (processing, librdkafka's, commits) hand
/// buffers to each other: a processing thread frees every consumed record
/// that a librdkafka broker thread allocated.
///
/// The limit is 8. With two (the limit before session 7) a 1 M-record
/// catch-up with two processing threads peaked ~20 MiB lower, but its
/// processing threads blocked in `free` on arena locks and, in paired runs
/// with comparable late-event counts, ran ~15% slower (BENCHMARKS.md,
/// "End-to-end pipeline, round 7"). Eight arenas for the ~10 allocating
/// threads of a two-member process keep the sharing low without glibc's
/// 8 per core multiplying idle arenas on large machines.
/// `MALLOC_ARENA_MAX` in the environment wins.
public enum MallocArenas {
    public static let defaultLimit: Int32 = 8

    /// Call before the processing threads start.
    public static func limit() {
        #if canImport(Glibc)
        guard getenv("MALLOC_ARENA_MAX") == nil else { return }
        _ = mallopt(M_ARENA_MAX, defaultLimit)
        #endif
    }
}
