// SPDX-License-Identifier: GPL-2.0
/*
 * fpu-cost: what saving and restoring a task's FPU state costs here.
 *
 *   fpu-cost [ITERATIONS]
 *
 * A system call whose work uses the FPU in the kernel (an I/O that is
 * encrypted with AES-NI on the caller's CPU, as dm-crypt and dm-ecsenc do
 * at QD1) makes the kernel save the caller's FPU registers before the
 * cipher runs and restore them on the way back to user space: one XSAVEOPT
 * (XSAVE where the CPU lacks it) and one XRSTOR of the whole user state,
 * which a loop in the kernel pays only once.  On hardware that is a few
 * hundred nanoseconds; an emulator may take far longer.  This times the
 * same two instructions over the same features (XCR0), in user space, and
 * prints one line:
 *
 *   <state bytes> <save MiB/s> <restore MiB/s> <save us> <restore us>
 *
 * each the median of five batches.  The saves run back to back, which
 * lets a CPU's XSAVEOPT skip state it has not seen change: on hardware
 * the save is a lower bound.  A benchmark tool, not part of the product.
 */
#include <cpuid.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCHES 5

#define CPUID1_ECX_OSXSAVE	(1u << 27)
#define CPUIDD1_EAX_XSAVEOPT	(1u << 0)

struct xstate {
	uint8_t *area;
	uint32_t size;		/* bytes XSAVE writes for XCR0's features */
	uint32_t lo, hi;	/* XCR0: the features a task's state holds */
	int have_xsaveopt;
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int xstate_init(struct xstate *x)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & CPUID1_ECX_OSXSAVE))
		return -ENOTSUP;
	__asm__ volatile("xgetbv" : "=a"(x->lo), "=d"(x->hi) : "c"(0));
	__cpuid_count(0xd, 0, a, b, c, d);
	x->size = b;
	__cpuid_count(0xd, 1, a, b, c, d);
	x->have_xsaveopt = !!(a & CPUIDD1_EAX_XSAVEOPT);
	x->area = aligned_alloc(64, (x->size + 63) & ~63u);
	if (!x->area)
		return -ENOMEM;
	memset(x->area, 0, x->size);
	/* A valid header for XRSTOR, and live AVX state to save. */
	__asm__ volatile("vxorps %%ymm1, %%ymm1, %%ymm1" ::: "xmm1");
	__asm__ volatile("xsave64 (%0)" : : "r"(x->area), "a"(x->lo), "d"(x->hi)
			 : "memory");
	return 0;
}

static void xstate_save(const struct xstate *x)
{
	if (x->have_xsaveopt)
		__asm__ volatile("xsaveopt64 (%0)" : : "r"(x->area), "a"(x->lo),
				 "d"(x->hi) : "memory");
	else
		__asm__ volatile("xsave64 (%0)" : : "r"(x->area), "a"(x->lo),
				 "d"(x->hi) : "memory");
}

static void xstate_restore(const struct xstate *x)
{
	__asm__ volatile("xrstor64 (%0)" : : "r"(x->area), "a"(x->lo),
			 "d"(x->hi) : "memory");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median over BATCHES of the time one call of @op takes, in us. */
static double time_op(void (*op)(const struct xstate *),
		      const struct xstate *x, long iterations)
{
	double t[BATCHES], start;

	for (int b = 0; b < BATCHES; b++) {
		start = now_us();
		for (long i = 0; i < iterations; i++)
			op(x);
		t[b] = (now_us() - start) / iterations;
	}
	qsort(t, BATCHES, sizeof(t[0]), cmp_double);
	return t[BATCHES / 2];
}

int main(int argc, char **argv)
{
	long iterations = argc > 1 ? atol(argv[1]) : 20000;
	struct xstate x;
	double save_us, restore_us;
	int r;

	if (iterations < 1) {
		fprintf(stderr, "usage: fpu-cost [ITERATIONS]\n");
		return 2;
	}
	r = xstate_init(&x);
	if (r) {
		fprintf(stderr, "fpu-cost: %s\n", r == -ENOTSUP ?
			"the CPU or the kernel has no XSAVE" : strerror(-r));
		return 1;
	}
	save_us = time_op(xstate_save, &x, iterations);
	restore_us = time_op(xstate_restore, &x, iterations);
	printf("%u %.1f %.1f %.3f %.3f\n", x.size,
	       x.size / save_us * 1e6 / 1048576, x.size / restore_us * 1e6 / 1048576,
	       save_us, restore_us);
	free(x.area);
	return 0;
}
