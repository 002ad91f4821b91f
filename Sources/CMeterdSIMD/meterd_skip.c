// The structural skip of a plain container: see meterd_skip_plain_container
// in include/meterd_skip.h. Pure computation: no I/O, no allocation.
#include "meterd_skip.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// One bit per byte of a 64-byte block, per byte class.
typedef struct {
    uint64_t quote;
    /// A backslash, a control byte or a non-ASCII byte: the fast path gives up.
    uint64_t bad;
    uint64_t space;
    uint64_t open_brace;
    uint64_t open_bracket;
    uint64_t close_brace;
    uint64_t close_bracket;
    uint64_t colon;
    uint64_t comma;
} meterd_block_masks;

#if defined(__SSE2__)
static inline void meterd_classify16(const uint8_t *p, unsigned shift, meterd_block_masks *m) {
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    // Bytes of 0x80 and above are negative, so one signed compare catches them with the control bytes.
    const __m128i bad = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')), _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
    m->quote |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"'))) << shift;
    m->bad |= (uint64_t)(unsigned)_mm_movemask_epi8(bad) << shift;
    m->space |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' '))) << shift;
    m->open_brace |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('{'))) << shift;
    m->open_bracket |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('['))) << shift;
    m->close_brace |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('}'))) << shift;
    m->close_bracket |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(']'))) << shift;
    m->colon |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(':'))) << shift;
    m->comma |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(','))) << shift;
}
#endif

static inline void meterd_classify64(const uint8_t *p, meterd_block_masks *m) {
    memset(m, 0, sizeof *m);
#if defined(__SSE2__)
    meterd_classify16(p, 0, m);
    meterd_classify16(p + 16, 16, m);
    meterd_classify16(p + 32, 32, m);
    meterd_classify16(p + 48, 48, m);
#else
    for (unsigned i = 0; i < 64; i++) {
        const uint8_t b = p[i];
        const uint64_t bit = (uint64_t)1 << i;
        if (b == '"') m->quote |= bit;
        if (b == '\\' || b < 0x20 || b >= 0x80) m->bad |= bit;
        if (b == ' ') m->space |= bit;
        if (b == '{') m->open_brace |= bit;
        if (b == '[') m->open_bracket |= bit;
        if (b == '}') m->close_brace |= bit;
        if (b == ']') m->close_bracket |= bit;
        if (b == ':') m->colon |= bit;
        if (b == ',') m->comma |= bit;
    }
#endif
}

/// Bit i of the result: the XOR of bits 0…i of `x` (set inside strings, from the opening quote on).
static inline uint64_t meterd_prefix_xor(uint64_t x) {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    return x;
}

static inline int meterd_is_digit(uint8_t b) { return (uint8_t)(b - '0') < 10; }

/// Whether the scalar at `p[i]` is a JSON number or literal directly followed by `,` `}` or `]`.
static int meterd_scalar_is_valid(const uint8_t *p, size_t n, size_t i) {
    const uint8_t lead = p[i];
    if (lead == 't' || lead == 'f' || lead == 'n') {
        const char *literal = lead == 't' ? "true" : lead == 'f' ? "false" : "null";
        const size_t length = lead == 'f' ? 5 : 4;
        if (n - i < length || memcmp(p + i, literal, length) != 0) return 0;
        i += length;
    } else {
        if (p[i] == '-') i++;
        if (i >= n || !meterd_is_digit(p[i])) return 0;
        if (p[i] == '0') {
            i++;
        } else {
            while (i < n && meterd_is_digit(p[i])) i++;
        }
        if (i < n && p[i] == '.') {
            i++;
            if (i >= n || !meterd_is_digit(p[i])) return 0;
            while (i < n && meterd_is_digit(p[i])) i++;
        }
        if (i < n && (p[i] | 0x20) == 'e') {
            i++;
            if (i < n && (p[i] == '+' || p[i] == '-')) i++;
            if (i >= n || !meterd_is_digit(p[i])) return 0;
            while (i < n && meterd_is_digit(p[i])) i++;
        }
    }
    return i < n && (p[i] == ',' || p[i] == '}' || p[i] == ']');
}

size_t meterd_skip_plain_container(const uint8_t *p, size_t n, unsigned limit) {
    if (limit > 64) limit = 64;
    uint8_t tail[64];
    meterd_block_masks m;
    // Bit 63 of the previous block's masks: the byte before this block.
    uint64_t inside_carry = 0, prev_scalar = 0, prev_value_sep = 0, prev_open_brace = 0, prev_open_bracket = 0;
    uint64_t prev_end = 0, prev_close_quote = 0;
    // Open containers: bit i set when the one at level i is an array.
    uint64_t arrays = 0;
    unsigned level = 0;
    int in_array = 0;
    // In an object, after `{` or `,`: a key and its colon come next.
    int expect_colon = 0;
    for (size_t start = 0; start < n; start += 64) {
        const uint8_t *block = p + start;
        if (n - start < 64) {
            // Spaces after the end: outside strings they make the fast path give up, as a cut container must.
            memset(tail, ' ', sizeof tail);
            memcpy(tail, block, n - start);
            block = tail;
        }
        meterd_classify64(block, &m);
        const uint64_t inside = meterd_prefix_xor(m.quote) ^ inside_carry;
        inside_carry = (uint64_t)((int64_t)inside >> 63);
        const uint64_t outside = ~inside & ~m.quote;
        const uint64_t open_quote = m.quote & inside;
        const uint64_t close_quote = m.quote & ~inside;
        const uint64_t structural = m.open_brace | m.open_bracket | m.close_brace | m.close_bracket | m.colon | m.comma;
        const uint64_t scalar = outside & ~structural & ~m.space;
        const uint64_t value_sep = m.open_bracket | m.colon | m.comma;
        const uint64_t end = close_quote | m.close_brace | m.close_bracket | scalar;

        const uint64_t p_scalar = scalar << 1 | prev_scalar;
        const uint64_t p_value_sep = value_sep << 1 | prev_value_sep;
        const uint64_t p_open_brace = m.open_brace << 1 | prev_open_brace;
        const uint64_t p_open_bracket = m.open_bracket << 1 | prev_open_bracket;
        const uint64_t p_end = end << 1 | prev_end;
        const uint64_t p_close_quote = close_quote << 1 | prev_close_quote;
        prev_scalar = scalar >> 63;
        prev_value_sep = value_sep >> 63;
        prev_open_brace = m.open_brace >> 63;
        prev_open_bracket = m.open_bracket >> 63;
        prev_end = end >> 63;
        prev_close_quote = close_quote >> 63;

        const uint64_t scalar_start = scalar & ~p_scalar;
        // What each token needs right before it (compact layout: no whitespace between tokens).
        uint64_t error = m.bad | (m.space & outside);
        error |= (m.open_brace | m.open_bracket | scalar_start) & ~p_value_sep;
        error |= open_quote & ~(p_value_sep | p_open_brace);
        error |= m.close_brace & ~(p_end | p_open_brace);
        error |= m.close_bracket & ~(p_end | p_open_bracket);
        error |= m.comma & ~p_end;
        error |= m.colon & ~p_close_quote;
        if (start == 0) error &= ~(uint64_t)1;  // the container's own bracket: what precedes it is the caller's

        // Brackets, colons and commas outside strings, in order: depth and object/array context.
        uint64_t tokens = structural & outside;
        uint64_t range = ~(uint64_t)0;
        while (tokens != 0) {
            const unsigned i = (unsigned)__builtin_ctzll(tokens);
            const uint64_t bit = tokens & (0 - tokens);
            tokens &= tokens - 1;
            switch (block[i]) {
            case '{':
            case '[':
                if (level >= limit || (level > 0 && !in_array && expect_colon)) return 0;
                in_array = block[i] == '[';
                arrays = in_array ? arrays | (uint64_t)1 << level : arrays & ~((uint64_t)1 << level);
                level++;
                expect_colon = !in_array;
                break;
            case '}':
            case ']':
                if (in_array != (block[i] == ']')) return 0;
                if (expect_colon && !(bit & p_open_brace)) return 0;
                level--;
                expect_colon = 0;
                if (level == 0) {
                    range = bit | (bit - 1);
                    tokens = 0;
                    break;
                }
                in_array = (int)((arrays >> (level - 1)) & 1);
                break;
            case ':':
                if (in_array || !expect_colon) return 0;
                expect_colon = 0;
                break;
            default:  // ','
                if (!in_array) {
                    if (expect_colon) return 0;
                    expect_colon = 1;
                }
                break;
            }
        }
        if ((error & range) != 0) return 0;
        uint64_t scalars = scalar_start & range;
        while (scalars != 0) {
            const unsigned i = (unsigned)__builtin_ctzll(scalars);
            scalars &= scalars - 1;
            if (!meterd_scalar_is_valid(p, n, start + i)) return 0;
        }
        if (level == 0) {
            return start + 64 - (size_t)__builtin_clzll(range);
        }
    }
    return 0;
}
