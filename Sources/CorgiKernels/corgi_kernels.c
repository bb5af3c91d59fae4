/*
 * corgi_kernels.c: what Swift cannot spell. The prefetch is static inline in
 * corgi_kernels.h; the matrix product goes to OpenBLAS, serial variant (see the header).
 */
#include "corgi_kernels.h"

#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/*
 * The element-wise loops are compiled twice, for AVX2 and for the x86-64 baseline (SSE2),
 * and the loader picks one per CPU (an ifunc). Element-wise IEEE arithmetic gives the
 * same bits at any vector width, and the file is compiled with -ffp-contract=off (no
 * fused multiply-add): both versions give the same results.
 */
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define CORGI_SIMD __attribute__((target_clones("avx2", "default")))
#else
#define CORGI_SIMD
#endif

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

CORGI_SIMD void
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

CORGI_SIMD void
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

/*
 * One Adam step over count parameters (see AdamOptimizer.swift for the rule): g is the
 * gradient summed over the batch, scaled by inverse_rows; the first `penalized`
 * parameters get + l2 * w. The same expression, in the same order, as the Swift loop it
 * replaces: the same bits, four lanes at a time.
 */
CORGI_SIMD void
corgi_adam_step(double *restrict w, const double *restrict g, double *restrict m, double *restrict v, long count,
				long penalized, double inverse_rows, double l2, double beta1, double beta2, double learning_rate,
				double correction1, double correction2, double epsilon)
{
	for (long i = 0; i < count; i++)
	{
		double		gradient = g[i] * inverse_rows;

		if (i < penalized)
			gradient += l2 * w[i];
		m[i] = beta1 * m[i] + (1 - beta1) * gradient;
		v[i] = beta2 * v[i] + (1 - beta2) * gradient * gradient;
		w[i] -= learning_rate * (m[i] / correction1) / (sqrt(v[i] / correction2) + epsilon);
	}
}

/* mean += share * (x - mean) over count values (the running mean of the iterates). */
CORGI_SIMD void
corgi_running_mean(double *restrict mean, const double *restrict x, long count, double share)
{
	for (long i = 0; i < count; i++)
		mean[i] += share * (x[i] - mean[i]);
}
