import Crdkafka
#if canImport(Glibc)
import Glibc
#endif

/// Backs malloc's heaps with transparent huge pages (2 MiB) where the kernel
/// grants them only on request (`madvise` mode, the default of Debian and
/// most distributions).
///
/// The aggregation state is hundreds of MiB of hash tables touched at random
/// (dedupe fingerprints, rollup groups): with 4 KiB pages nearly every event
/// misses the TLB as well as the cache. glibc (2.35 and later) asks for huge
/// pages when its `glibc.malloc.hugetlb=1` tunable is set, and tunables are
/// read only when a process starts, so `restartIfWorthwhile()` re-executes
/// the binary once (same pid, arguments and environment, plus the tunable)
/// before anything else runs. Measured: the core pipeline +4% to +13% in 5
/// of 5 alternating runs (BENCHMARKS.md, "Huge pages for malloc").
///
/// `GLIBC_TUNABLES` naming `glibc.malloc.hugetlb` already (for example
/// `glibc.malloc.hugetlb=0`, the way to switch this off) is left alone.
///
/// glibc applies the tunable to the main arena's heap and to thread heaps
/// created with at least 2 MiB, which thread heaps are not by default: memory
/// that other threads allocate in their own arenas mostly stays in 4 KiB
/// pages (docs/pipeline.md, "Huge pages").
public enum MallocHugePages {
    /// The tunable the restart adds.
    public static let tunable = "glibc.malloc.hugetlb=1"

    /// What `restartIfWorthwhile()` does, from what it found.
    public enum Decision: Equatable, Sendable {
        /// Re-execute with `GLIBC_TUNABLES` set to this value.
        case restart(tunables: String)
        /// `GLIBC_TUNABLES` already names `glibc.malloc.hugetlb`: the user's
        /// setting, or this process is the restarted one.
        case alreadyConfigured
        /// The kernel gives huge pages to every mapping (`always`) or to none (`never`).
        case notNeeded(kernelMode: String)
        /// No transparent huge page support, or a glibc without the tunable.
        case unsupported
    }

    /// Decides from the current `GLIBC_TUNABLES`, the content of
    /// `/sys/kernel/mm/transparent_hugepage/enabled` (e.g. `always [madvise] never`)
    /// and glibc's version (e.g. `2.36`). Pure, for tests.
    public static func decide(tunables: String?, kernelSetting: String?, glibcVersion: String?) -> Decision {
        if let tunables, tunables.contains("glibc.malloc.hugetlb") { return .alreadyConfigured }
        guard let kernelSetting, let start = kernelSetting.firstIndex(of: "["),
              let end = kernelSetting[start...].firstIndex(of: "]") else { return .unsupported }
        let mode = String(kernelSetting[kernelSetting.index(after: start)..<end])
        guard mode == "madvise" else { return .notNeeded(kernelMode: mode) }
        guard let glibcVersion, supportsTunable(glibcVersion: glibcVersion) else { return .unsupported }
        guard let tunables, !tunables.isEmpty else { return .restart(tunables: tunable) }
        return .restart(tunables: tunables + ":" + tunable)
    }

    /// glibc added `glibc.malloc.hugetlb` in 2.35.
    static func supportsTunable(glibcVersion: String) -> Bool {
        let parts = glibcVersion.split(separator: ".").map { Int($0) ?? 0 }
        guard parts.count >= 2 else { return false }
        return parts[0] > 2 || (parts[0] == 2 && parts[1] >= 35)
    }

    /// Re-executes this binary with the tunable when `decide` says so;
    /// returns (having changed nothing) otherwise or if the exec fails. Call
    /// first thing in a long-running command, before any thread or output.
    public static func restartIfWorthwhile() {
        #if os(Linux) && canImport(Glibc)
        guard case .restart(let tunables) = currentDecision() else { return }
        let original = getenv("GLIBC_TUNABLES").map { String(cString: $0) }
        guard setenv("GLIBC_TUNABLES", tunables, 1) == 0 else { return }
        fflush(nil)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when the exec failed: carry on without huge pages.
        if let original { setenv("GLIBC_TUNABLES", original, 1) } else { unsetenv("GLIBC_TUNABLES") }
        #endif
    }

    /// `decide` for this process: its environment, this kernel and this glibc.
    public static func currentDecision() -> Decision {
        #if os(Linux) && canImport(Glibc)
        // Secure-execution mode (setuid) drops GLIBC_TUNABLES: restarting would loop.
        guard getauxval(UInt(AT_SECURE)) == 0 else { return .unsupported }
        return decide(
            tunables: getenv("GLIBC_TUNABLES").map { String(cString: $0) },
            kernelSetting: readSmallFile("/sys/kernel/mm/transparent_hugepage/enabled"),
            glibcVersion: gnu_get_libc_version().map { String(cString: $0) }
        )
        #else
        return .unsupported
        #endif
    }

    /// Whether malloc runs with the tunable (as set by the restart or by the
    /// user), for the start-up log.
    public static var isRequested: Bool {
        #if canImport(Glibc)
        guard let value = getenv("GLIBC_TUNABLES") else { return false }
        return String(cString: value).split(separator: ":").contains { $0 == "glibc.malloc.hugetlb=1" || $0 == "glibc.malloc.hugetlb=2" }
        #else
        return false
        #endif
    }

    #if canImport(Glibc)
    private static func readSmallFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer -> String? in
            guard let start = buffer.baseAddress, fgets(start, 256, file) != nil else { return nil }
            return String(cString: start)
        }
    }
    #endif
}
