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

void
corgi_syrk_upper(int n, int rows, const double *a, double *c)
{
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, n, rows, 1.0, a, n, 1.0, c, n);
}

void
corgi_sgemm(int transpose_a, int transpose_b, int m, int n, int k, float alpha, const float *a, int lda,
			const float *b, int ldb, float beta, float *c, int ldc)
{
	cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans,
				m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/*
 * exp(x) for x <= 0 in float32 (below -87 it is taken at -87, about 1.6e-38):
 * k = round(x / ln 2), r = x - k ln 2 (two-part ln 2), e^r by its Taylor series to
 * degree 7 (|r| <= 0.347: truncation below 2e-8 relative, under float's 6e-8), times 2^k
 * from the exponent bits. The same bits on every call, eight lanes with AVX2.
 */
static inline float
expf_nonpositive(float x)
{
	const float shift = 12582912.0f;	/* 1.5 * 2^23: adding it rounds to an integer */
	float		t,
				k,
				r,
				p,
				scale;
	uint32_t	bits;
	int32_t		exponent;

	x = x < -87.0f ? -87.0f : x;
	t = x * 1.44269504f + shift;
	k = t - shift;
	r = (x - k * 0.693145752f) - k * 1.42860677e-6f;
	p = 1.0f / 5040.0f;
	p = p * r + 1.0f / 720.0f;
	p = p * r + 1.0f / 120.0f;
	p = p * r + 1.0f / 24.0f;
	p = p * r + 1.0f / 6.0f;
	p = p * r + 0.5f;
	p = p * r + 1.0f;
	p = p * r + 1.0f;
	memcpy(&bits, &t, sizeof(bits));
	exponent = (int32_t) (bits & 0x7fffff) - 0x400000 + 127;	/* k, from t's mantissa bits */
	bits = (uint32_t) exponent << 23;
	memcpy(&scale, &bits, sizeof(scale));
	return p * scale;
}

CORGI_SIMD void
corgi_sigmoid_f(float *values, long count)
{
	for (long i = 0; i < count; i++)
	{
		float		z = values[i];
		float		e = expf_nonpositive(z < 0 ? z : -z);
		float		d = 1.0f / (1.0f + e);

		values[i] = z >= 0 ? d : e * d;
	}
}

CORGI_SIMD void
corgi_tanh_f(float *values, long count)
{
	for (long i = 0; i < count; i++)
	{
		float		z = values[i];
		float		a = z < 0 ? -z : z;
		float		e = expf_nonpositive(-2 * a);
		float		far = (1.0f - e) / (1.0f + e);
		float		z2 = a * a;
		/* Near 0 (|z| < 0.05), the series to z^7 instead of the cancelling quotient. */
		float		near = a * (1.0f + z2 * (-1.0f / 3 + z2 * (2.0f / 15 + z2 * (-17.0f / 315))));
		float		m = a < 0.05f ? near : far;

		values[i] = z >= 0 ? m : -m;
	}
}

CORGI_SIMD void
corgi_double_to_float(const double *restrict from, float *restrict to, long count)
{
	for (long i = 0; i < count; i++)
		to[i] = (float) from[i];
}

CORGI_SIMD void
corgi_float_to_double(const float *restrict from, double *restrict to, long count)
{
	for (long i = 0; i < count; i++)
		to[i] = (double) from[i];
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
 * parameters get + l2 * w; then w -= (lr / c1) m / (sqrt(v (1 / c2)) + epsilon), with
 * c1 = 1 - beta1^t and c2 = 1 - beta2^t. Element-wise: the same bits four lanes at a
 * time (AVX2) as one.
 */
CORGI_SIMD void
corgi_adam_step(double *restrict w, const double *restrict g, double *restrict m, double *restrict v, long count,
				long penalized, double inverse_rows, double l2, double beta1, double beta2, double learning_rate,
				double correction1, double correction2, double epsilon)
{
	/* One division and one square root per parameter: the corrections as factors. */
	const double step = learning_rate / correction1;
	const double inverse_correction2 = 1 / correction2;

	for (long i = 0; i < count; i++)
	{
		double		gradient = g[i] * inverse_rows;

		if (i < penalized)
			gradient += l2 * w[i];
		m[i] = beta1 * m[i] + (1 - beta1) * gradient;
		v[i] = beta2 * v[i] + (1 - beta2) * gradient * gradient;
		w[i] -= step * m[i] / (sqrt(v[i] * inverse_correction2) + epsilon);
	}
}

/* mean += share * (x - mean) over count values (the running mean of the iterates). */
CORGI_SIMD void
corgi_running_mean(double *restrict mean, const double *restrict x, long count, double share)
{
	for (long i = 0; i < count; i++)
		mean[i] += share * (x[i] - mean[i]);
}
