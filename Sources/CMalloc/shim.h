#ifndef PAXOSLOG_CMALLOC_SHIM_H
#define PAXOSLOG_CMALLOC_SHIM_H
// glibc's malloc extensions (malloc_trim), which the Glibc module does not export. Part of libc:
// nothing to link.
#include <malloc.h>
#endif
