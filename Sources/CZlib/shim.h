#ifndef PAXOSLOG_CZLIB_SHIM_H
#define PAXOSLOG_CZLIB_SHIM_H
#include <zlib.h>

// deflateInit2 and inflateInit2 are macros that Swift cannot call; these wrappers pass the
// library version and stream size exactly as the macros would.
static inline int paxoslog_deflateInit2(z_streamp strm, int level, int method, int windowBits, int memLevel,
                                        int strategy) {
    return deflateInit2(strm, level, method, windowBits, memLevel, strategy);
}

static inline int paxoslog_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
#endif
