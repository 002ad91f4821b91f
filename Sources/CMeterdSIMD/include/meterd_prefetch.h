/// Cache prefetch hints for meterd's aggregation hot path, which reads
/// per-customer state spread over many heap objects: asking for a line
/// before it is needed lets its miss overlap other work instead of
/// stalling the dependent load. A hint only: it never faults (any address
/// may be passed) and has no effect on results.
#ifndef METERD_PREFETCH_H
#define METERD_PREFETCH_H

/// Prefetches the cache line holding `p` for reading.
static inline void meterd_prefetch(const void *p) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 0, 3);
#else
    (void)p;
#endif
}

/// Prefetches the cache line holding `p` for writing (the line is about to be stored to).
static inline void meterd_prefetch_write(const void *p) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 1, 3);
#else
    (void)p;
#endif
}

#endif
