/// Skipping a JSON container no selector leads into, 64 bytes per step.
#ifndef METERD_SKIP_H
#define METERD_SKIP_H

#include <stddef.h>
#include <stdint.h>

/// The length of the object or array that starts at `p[0]` (`{` or `[`), if
/// it is valid JSON in the common plain form; 0 when that is not proven.
///
/// Plain form: no whitespace between tokens, and no backslash, control byte
/// or non-ASCII byte anywhere up to its closing bracket. Containers may nest
/// at most `limit` deep, counting this one. A 0 means "not proven", not
/// "invalid": the caller then validates byte by byte, which finds the same
/// end for a valid container and the exact error for an invalid one.
///
/// Per 64-byte block: masks of quotes and structural bytes, the in-string
/// mask by prefix XOR, each token checked against the byte before it, then
/// the brackets, colons and commas in order for depth and object/array
/// context. Reads only the `n` bytes at `p`; no I/O, no allocation.
size_t meterd_skip_plain_container(const uint8_t *p, size_t n, unsigned limit);

#endif
