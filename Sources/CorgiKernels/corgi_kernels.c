/*
 * corgi_kernels.c: what Swift cannot spell. The prefetch is static inline in
 * corgi_kernels.h; the matrix product goes to OpenBLAS, serial variant (see the header).
 */
#include "corgi_kernels.h"

#include <cblas.h>
#include <stdint.h>
#include <string.h>

void
corgi_gemm(int transpose_a, int transpose_b, int m, int n, int k, double alpha, const double *a, int lda,
		   const double *b, int ldb, double beta, double *c, int ldc)
{
	cblas_dgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans,
				m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/*
 * exp(x) for x <= 0 (below -700 it is taken at -700, about 1e-304): k = round(x / ln 2),
 * r = x - k ln 2 (two-part ln 2), e^r by its Taylor series to degree 13 (|r| <= 0.347:
 * truncation below 1e-16 relative), times 2^k built from the exponent bits. Plain
 * arithmetic the compiler can vectorize, the same bits on every call.
 */
static inline double
exp_nonpositive(double x)
{
	const double shift = 6755399441055744.0;	/* 1.5 * 2^52: adding it rounds to an integer */
	double		t,
				k,
				r,
				p,
				scale;
	uint64_t	bits;
	int64_t		exponent;

	x = x < -700.0 ? -700.0 : x;
	t = x * 1.4426950408889634 + shift;
	k = t - shift;
	r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
	p = 1.0 / 6227020800.0;
	p = p * r + 1.0 / 479001600.0;
	p = p * r + 1.0 / 39916800.0;
	p = p * r + 1.0 / 3628800.0;
	p = p * r + 1.0 / 362880.0;
	p = p * r + 1.0 / 40320.0;
	p = p * r + 1.0 / 5040.0;
	p = p * r + 1.0 / 720.0;
	p = p * r + 1.0 / 120.0;
	p = p * r + 1.0 / 24.0;
	p = p * r + 1.0 / 6.0;
	p = p * r + 0.5;
	p = p * r + 1.0;
	p = p * r + 1.0;
	memcpy(&bits, &t, sizeof(bits));
	exponent = (int64_t) (int32_t) (uint32_t) bits + 1023;	/* k, from t's low mantissa bits */
	bits = (uint64_t) exponent << 52;
	memcpy(&scale, &bits, sizeof(scale));
	return p * scale;
}

void
corgi_sigmoid(double *values, long count)
{
	for (long i = 0; i < count; i++)
	{
		double		z = values[i];
		double		e = exp_nonpositive(z < 0 ? z : -z);
		double		d = 1.0 / (1.0 + e);

		values[i] = z >= 0 ? d : e * d;
	}
}

void
corgi_tanh(double *values, long count)
{
	for (long i = 0; i < count; i++)
	{
		double		z = values[i];
		double		a = z < 0 ? -z : z;
		double		e = exp_nonpositive(-2 * a);	/* exp(-2|z|) */
		double		far = (1.0 - e) / (1.0 + e);
		/* Near 0, (1 - e) / (1 + e) cancels: the series to z^15 instead (|z| < 0.1). */
		double		z2 = a * a;
		double		near = a * (1.0 + z2 * (-1.0 / 3 + z2 * (2.0 / 15 + z2 * (-17.0 / 315 + z2 * (62.0 / 2835
						+ z2 * (-1382.0 / 155925 + z2 * (21844.0 / 6081075 + z2 * (-929569.0 / 638512875))))))));
		double		m = a < 0.1 ? near : far;

		values[i] = z >= 0 ? m : -m;
	}
}
