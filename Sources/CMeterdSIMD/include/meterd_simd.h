/// Byte-class scans for meterd's JSON scanner: 16 bytes per step with SSE2
/// (part of baseline x86-64, so no target flags), a portable loop elsewhere.
///
/// Pure computation over a caller-owned buffer: no I/O, no allocation. The
/// functions are `static inline` so that Swift (through the Clang importer)
/// inlines them into the scanner's loops. They read only the `n` bytes at `p`.
#ifndef METERD_SIMD_H
#define METERD_SIMD_H

#include <stddef.h>
#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Whether `b` ends a plain run of string bytes: a quote, a backslash, a
/// control character (below 0x20) or a non-ASCII byte (0x80 and above).
static inline int meterd_is_string_attention(uint8_t b) {
    return b == '"' || b == '\\' || b < 0x20 || b >= 0x80;
}

/// One bit per byte of the 16 at `p` (bit i for `p[i]`): set where the byte
/// is a quote, a backslash, a control character or non-ASCII. With SSE2 a
/// signed compare with 0x20 catches the last two at once (bytes of 0x80 and
/// above are negative).
static inline unsigned meterd_string_attention16(const uint8_t *p) {
#if defined(__SSE2__)
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    const __m128i special = _mm_or_si128(
        _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
    return (unsigned)_mm_movemask_epi8(special);
#else
    unsigned mask = 0;
    for (unsigned i = 0; i < 16; i++) {
        mask |= (unsigned)meterd_is_string_attention(p[i]) << i;
    }
    return mask;
#endif
}

/// The number of leading bytes of the `n` at `p` that are neither a quote,
/// a backslash, a control character nor non-ASCII: the offset of the first
/// byte a JSON string scanner must look at, or `n` if there is none.
static inline size_t meterd_plain_string_span(const uint8_t *p, size_t n) {
    size_t i = 0;
    while (n - i >= 16) {
        const unsigned mask = meterd_string_attention16(p + i);
        if (mask != 0) {
            return i + (size_t)__builtin_ctz(mask);
        }
        i += 16;
    }
    while (i < n && !meterd_is_string_attention(p[i])) {
        i += 1;
    }
    return i;
}

#endif
