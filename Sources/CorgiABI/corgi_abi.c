/*
 * corgi_abi.c: compile-time checks of the ABI types (the header is the real content).
 */
#include "corgi_abi.h"

_Static_assert(sizeof(int32_t) == 4, "CorgiError.status is 32 bits");
_Static_assert(sizeof(CorgiStatus) == sizeof(int32_t), "CorgiStatus fits an int32_t");
_Static_assert(sizeof(((CorgiError *) 0)->message) == CORGI_MESSAGE_SIZE, "message size");
