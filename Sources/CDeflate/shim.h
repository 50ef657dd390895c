#ifndef PAXOSLOG_CDEFLATE_SHIM_H
#define PAXOSLOG_CDEFLATE_SHIM_H
// libdeflate, for its crc32: the same CRC-32 as zlib's (so the journal format is unchanged), but
// computed with carry-less multiplication (PCLMULQDQ) where the CPU has it, about ten times faster.
#include <libdeflate.h>
#endif
