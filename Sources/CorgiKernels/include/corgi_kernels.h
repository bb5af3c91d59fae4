/*
 * corgi_kernels.h: the few CPU intrinsics Swift cannot spell, as static inline C the
 * Swift compiler inlines. No PostgreSQL here: CorgiCore imports this module.
 */
#ifndef CORGI_KERNELS_H
#define CORGI_KERNELS_H

#include <stddef.h>

/* Hints the CPU to load the cache lines of [address, address + bytes) for reading
 * soon. Has no effect on results; never faults, even for invalid addresses. */
static inline void
corgi_prefetch(const void *address, size_t bytes)
{
	const char *p = (const char *) address;

	for (size_t offset = 0; offset < bytes; offset += 64)
		__builtin_prefetch(p + offset, 0, 3);
}

/* The same for writing: the lines arrive owned, so stores to them do not wait.
 * Never faults; no effect on results. */
static inline void
corgi_prefetch_write(const void *address, size_t bytes)
{
	const char *p = (const char *) address;
	const char *end = p + bytes;

	/* Every line the range touches, the last one included when it is unaligned. */
	for (; p < end; p += 64)
		__builtin_prefetch(p, 1, 3);
	if (bytes > 0)
		__builtin_prefetch(end - 1, 1, 3);
}

/* Tells the CPU this is a spin-wait loop (x86 PAUSE): saves power and the other
 * hardware thread's cycles while a thread polls for work. No effect on results. */
static inline void
corgi_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/*
 * C = alpha * op(A) op(B) + beta * C, float64, row-major (op = transpose when asked):
 * OpenBLAS's dgemm. corgi links OpenBLAS's serial variant (libopenblas0-serial, found
 * through an rpath to its own directory): the default pthread variant starts a thread
 * pool in every process that loads it, with PostgreSQL's signals unblocked, which a
 * backend must not have. Deterministic for the same shapes on the same CPU.
 */
void		corgi_gemm(int transpose_a, int transpose_b, int m, int n, int k, double alpha,
					   const double *a, int lda, const double *b, int ldb, double beta, double *c, int ldc);

/*
 * The upper triangle of C += A^T A for a row-major A of `rows` x n (OpenBLAS's dsyrk): the
 * exact solvers' X^T X, half the work of the product. The lower triangle is not written.
 */
void		corgi_syrk_upper(int n, int rows, const double *a, double *c);

/* The same in float32 (cblas_sgemm): how networks train (BatchLearner). */
void		corgi_sgemm(int transpose_a, int transpose_b, int m, int n, int k, float alpha,
						const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

/*
 * The activations in float32, in place (exp by a degree-7 series after range reduction:
 * relative error within a few float ulps), and conversions between the widths.
 */
void		corgi_sigmoid_f(float *values, long count);
void		corgi_tanh_f(float *values, long count);
void		corgi_double_to_float(const double *from, float *to, long count);
void		corgi_float_to_double(const float *from, double *to, long count);

/*
 * The activations in place over `count` values, with corgi's own exp (exp_nonpositive in
 * corgi_kernels.c: vectorizable, the same bits every time): sigmoid(z) = 1 / (1 + e^-z),
 * tanh(z) = sign(z) (1 - e^-2|z|) / (1 + e^-2|z|) (its series below |z| = 0.1). Relative
 * error within 2e-15 of the math library's (tested); below z = -700 sigmoid is 1e-304,
 * not 0.
 */
void		corgi_sigmoid(double *values, long count);
void		corgi_tanh(double *values, long count);

/*
 * Adam's update of count parameters from a batch's summed gradient (AdamOptimizer.swift
 * states the rule; the first `penalized` get coupled L2), and a running mean: loops the
 * Swift compiler leaves scalar, here four lanes wide where the CPU has AVX2. Element-wise,
 * the same bits on every CPU.
 */
void		corgi_adam_step(double *w, const double *g, double *m, double *v, long count, long penalized,
							double inverse_rows, double l2, double beta1, double beta2, double learning_rate,
							double correction1, double correction2, double epsilon);
void		corgi_running_mean(double *mean, const double *x, long count, double share);

#endif							/* CORGI_KERNELS_H */
