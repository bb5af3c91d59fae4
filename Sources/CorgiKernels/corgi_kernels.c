/* corgi_kernels.c: the kernels are static inline in corgi_kernels.h; SwiftPM needs a source file. */
#include "corgi_kernels.h"
