/*
 * corgi_kernels.c: what Swift cannot spell. The prefetch is static inline in
 * corgi_kernels.h; the matrix product goes to OpenBLAS, serial variant (see the header).
 */
#include "corgi_kernels.h"

#include <cblas.h>

void
corgi_gemm(int transpose_a, int transpose_b, int m, int n, int k, double alpha, const double *a, int lda,
		   const double *b, int ldb, double beta, double *c, int ldc)
{
	cblas_dgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans,
				m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
