// SPDX-License-Identifier: GPL-2.0
/*
 * secmem_realloc: contents kept across growth and shrink, new bytes zero,
 * the old buffer released, a failed resize leaving it as it was.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "secmem.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: %s\n", \
	__FILE__, __LINE__, #c); return 1; } } while (0)

static int all_bytes(const unsigned char *p, size_t len, unsigned char v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

/* 1 if no page of [p, p + len) is mapped any more. */
static int unmapped(const void *p, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)p & ~(pg - 1);
	unsigned char vec[4];

	return mincore((void *)start, len < pg ? pg : len, vec) < 0 &&
	       errno == ENOMEM;
}

int main(void)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t big = 3 * pg + 10;
	unsigned char *p, *q;

	/* From NULL: a plain allocation. */
	p = secmem_realloc(NULL, 10);
	CHECK(p && secmem_size(p) == 10);
	memset(p, 0xa5, 10);

	/* Growth: the old bytes kept, the new ones zero, the old pages gone. */
	q = secmem_realloc(p, big);
	CHECK(q && q != p && secmem_size(q) == big);
	CHECK(all_bytes(q, 10, 0xa5));
	CHECK(all_bytes(q + 10, big - 10, 0));
	CHECK(unmapped(p, 10));
	p = q;

	/* Shrink: the first bytes kept. */
	memset(p, 0x5a, big);
	q = secmem_realloc(p, 100);
	CHECK(q && secmem_size(q) == 100);
	CHECK(all_bytes(q, 100, 0x5a));
	CHECK(unmapped(p, big));
	p = q;

	/* A size no mapping can have: NULL, and the buffer as it was. */
	errno = 0;
	CHECK(!secmem_realloc(p, SIZE_MAX / 2) && errno == ENOMEM);
	CHECK(!secmem_realloc(p, SIZE_MAX) && errno == ENOMEM);
	CHECK(secmem_size(p) == 100 && all_bytes(p, 100, 0x5a));

	/* To zero bytes: a buffer of none, still to be freed. */
	q = secmem_realloc(p, 0);
	CHECK(q && secmem_size(q) == 0);
	secmem_free(q);

	printf("secmem: ok\n");
	return 0;
}
