/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C unit tests' checks, one spelling for all of them.
 *
 *   CHECK(cond)      a failure is printed ("FAIL: file:line: cond") and
 *                    counted; the test goes on
 *   REQUIRE(cond)    the same, then the program exits 1: for a check the
 *                    rest of the test cannot do without
 *   FAIL(fmt, ...)   a failure in the test's own words, counted
 *   CHECK_STR(what, got, want)  got (may be NULL) equals want
 *   unit_summary(fmt, ...)      at the end of main: prints what passed, or
 *                    "FAILED: N checks"; returns main's exit status
 *
 * Threads may check at once (the count is atomic; stdio locks its stream).
 * A test program includes it from one file: the count is that file's.
 */
#ifndef ECSENC_TESTS_UNIT_H
#define ECSENC_TESTS_UNIT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_failures;

__attribute__((format(printf, 1, 2)))
static inline void unit_fail(const char *fmt, ...)
{
	va_list ap;

	flockfile(stderr);
	fputs("FAIL: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
	__atomic_add_fetch(&unit_failures, 1, __ATOMIC_RELAXED);
}

#define CHECK(cond) do {						\
	if (!(cond))							\
		unit_fail("%s:%d: %s", __FILE__, __LINE__, #cond);	\
} while (0)

#define REQUIRE(cond) do {						\
	if (!(cond)) {							\
		unit_fail("%s:%d: %s", __FILE__, __LINE__, #cond);	\
		exit(1);						\
	}								\
} while (0)

#define FAIL(...) unit_fail(__VA_ARGS__)

static inline void unit_check_str(const char *file, int line, const char *what,
				  const char *got, const char *want)
{
	if (!got || strcmp(got, want))
		unit_fail("%s:%d: %s:\n  got  %s\n  want %s", file, line, what,
			  got ? got : "(null)", want);
}

#define CHECK_STR(what, got, want) unit_check_str(__FILE__, __LINE__, what, got, want)

__attribute__((format(printf, 1, 2)))
static inline int unit_summary(const char *passed_fmt, ...)
{
	int n = __atomic_load_n(&unit_failures, __ATOMIC_RELAXED);
	va_list ap;

	if (n) {
		printf("FAILED: %d check%s\n", n, n == 1 ? "" : "s");
		return 1;
	}
	va_start(ap, passed_fmt);
	vprintf(passed_fmt, ap);
	va_end(ap);
	putchar('\n');
	return 0;
}

#endif
