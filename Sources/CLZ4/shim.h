#ifndef PAXOSLOG_CLZ4_SHIM_H
#define PAXOSLOG_CLZ4_SHIM_H
#include <lz4.h>
#endif
