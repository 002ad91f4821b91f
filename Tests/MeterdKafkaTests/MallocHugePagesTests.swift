import MeterdKafka
import Testing

@Suite("MallocHugePages: when a process restarts itself with glibc.malloc.hugetlb=1")
struct MallocHugePagesTests {
    @Test("madvise mode on glibc 2.35 or later: restart, appending to tunables already set")
    func restartsInMadviseMode() {
        #expect(MallocHugePages.decide(tunables: nil, kernelSetting: "always [madvise] never\n", glibcVersion: "2.36")
            == .restart(tunables: "glibc.malloc.hugetlb=1"))
        #expect(MallocHugePages.decide(tunables: "", kernelSetting: "always [madvise] never", glibcVersion: "2.35")
            == .restart(tunables: "glibc.malloc.hugetlb=1"))
        #expect(MallocHugePages.decide(tunables: "glibc.malloc.arena_max=2", kernelSetting: "always [madvise] never", glibcVersion: "3.0")
            == .restart(tunables: "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"))
    }

    @Test("a tunable naming hugetlb already (the restarted process, or the user's opt-out) is left alone")
    func respectsExistingSetting() {
        #expect(MallocHugePages.decide(tunables: "glibc.malloc.hugetlb=1", kernelSetting: "always [madvise] never", glibcVersion: "2.36")
            == .alreadyConfigured)
        #expect(MallocHugePages.decide(tunables: "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=0", kernelSetting: "always [madvise] never", glibcVersion: "2.36")
            == .alreadyConfigured)
    }

    @Test("no restart when the kernel decides alone, lacks the feature, or glibc lacks the tunable")
    func noRestartOtherwise() {
        #expect(MallocHugePages.decide(tunables: nil, kernelSetting: "[always] madvise never", glibcVersion: "2.36")
            == .notNeeded(kernelMode: "always"))
        #expect(MallocHugePages.decide(tunables: nil, kernelSetting: "always madvise [never]", glibcVersion: "2.36")
            == .notNeeded(kernelMode: "never"))
        #expect(MallocHugePages.decide(tunables: nil, kernelSetting: nil, glibcVersion: "2.36") == .unsupported)
        #expect(MallocHugePages.decide(tunables: nil, kernelSetting: "garbage", glibcVersion: "2.36") == .unsupported)
        #expect(MallocHugePages.decide(tunables: nil, kernelSetting: "always [madvise] never", glibcVersion: "2.31") == .unsupported)
        #expect(MallocHugePages.decide(tunables: nil, kernelSetting: "always [madvise] never", glibcVersion: "1.99") == .unsupported)
        #expect(MallocHugePages.decide(tunables: nil, kernelSetting: "always [madvise] never", glibcVersion: nil) == .unsupported)
    }
}
