import Crdkafka
#if canImport(Glibc)
import Glibc
#endif

/// glibc gives every thread that allocates its own malloc arena (up to 8 per
/// core), and each arena keeps the memory freed into it. meterd's threads
/// (processing, librdkafka's, commits) hand buffers to each other: a
/// 1 M-record catch-up with two processing threads peaked at 244–302 MiB
/// with the default and at 214–253 MiB with two arenas, at the same
/// throughput (BENCHMARKS.md). `MALLOC_ARENA_MAX` in the environment wins.
public enum MallocArenas {
    public static let defaultLimit: Int32 = 2

    /// Call before the processing threads start.
    public static func limit() {
        #if canImport(Glibc)
        guard getenv("MALLOC_ARENA_MAX") == nil else { return }
        _ = mallopt(M_ARENA_MAX, defaultLimit)
        #endif
    }
}
