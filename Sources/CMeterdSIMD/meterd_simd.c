// The kernels are `static inline` in include/meterd_simd.h so that Swift
// inlines them; SwiftPM needs one C source file to build the target.
#include "meterd_simd.h"
