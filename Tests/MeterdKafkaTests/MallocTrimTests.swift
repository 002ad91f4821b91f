import Foundation
import MeterdKafka
import Testing

@Suite("MallocTrim: when meterd sets malloc's trim and mmap thresholds")
struct MallocTrimTests {
    @Test("applied when the environment says nothing about them, also next to other tunables")
    func appliesByDefault() {
        #expect(MallocTrim.shouldApply(trimVariable: nil, mmapVariable: nil, tunables: nil))
        #expect(MallocTrim.shouldApply(trimVariable: nil, mmapVariable: nil, tunables: ""))
        #expect(MallocTrim.shouldApply(trimVariable: nil, mmapVariable: nil, tunables: "glibc.malloc.hugetlb=1"))
        #expect(MallocTrim.shouldApply(trimVariable: nil, mmapVariable: nil, tunables: "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"))
    }

    @Test("the user's own thresholds win: glibc's variables or tunables")
    func userSettingWins() {
        #expect(!MallocTrim.shouldApply(trimVariable: "131072", mmapVariable: nil, tunables: nil))
        #expect(!MallocTrim.shouldApply(trimVariable: nil, mmapVariable: "131072", tunables: nil))
        #expect(!MallocTrim.shouldApply(trimVariable: nil, mmapVariable: nil, tunables: "glibc.malloc.hugetlb=1:glibc.malloc.trim_threshold=0"))
        #expect(!MallocTrim.shouldApply(trimVariable: nil, mmapVariable: nil, tunables: "glibc.malloc.mmap_threshold=65536"))
    }

    @Test("in this process they are applied exactly when the environment leaves them to meterd (glibc accepts both values)")
    func appliesHere() {
        #if os(Linux)
        let environment = ProcessInfo.processInfo.environment
        let expected = MallocTrim.shouldApply(
            trimVariable: environment["MALLOC_TRIM_THRESHOLD_"], mmapVariable: environment["MALLOC_MMAP_THRESHOLD_"],
            tunables: environment["GLIBC_TUNABLES"]
        )
        #expect(MallocTrim.keepFreedMemory() == expected)
        #endif
    }
}
