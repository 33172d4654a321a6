// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "secmem.h"

/* Each buffer is one mapping with a header page that records its size. */
struct secmem_header {
	size_t map_len;
	size_t user_len;
};

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

void *secmem_alloc(size_t len)
{
	size_t pg = page_size();
	size_t map_len;
	struct secmem_header *hdr;

	/* The header page and @len rounded up to pages must fit a size_t. */
	if (len > SIZE_MAX - 2 * pg) {
		errno = ENOMEM;
		return NULL;
	}
	map_len = pg + ((len + pg - 1) / pg) * pg;
	hdr = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hdr == MAP_FAILED)
		return NULL;
	if (mlock(hdr, map_len) < 0) {
		munmap(hdr, map_len);
		errno = ENOMEM;
		return NULL;
	}
	madvise(hdr, map_len, MADV_DONTDUMP);
	madvise(hdr, map_len, MADV_DONTFORK);
	hdr->map_len = map_len;
	hdr->user_len = len;
	return (char *)hdr + pg;
}

size_t secmem_size(const void *ptr)
{
	const struct secmem_header *hdr;

	if (!ptr)
		return 0;
	hdr = (const void *)((const char *)ptr - page_size());
	return hdr->user_len;
}

void secmem_wipe(void *ptr, size_t len)
{
	OPENSSL_cleanse(ptr, len);
}

void secmem_free(void *ptr)
{
	struct secmem_header *hdr;
	size_t map_len;

	if (!ptr)
		return;
	hdr = (void *)((char *)ptr - page_size());
	map_len = hdr->map_len;
	secmem_wipe(hdr, map_len);
	munlock(hdr, map_len);
	munmap(hdr, map_len);
}

void *secmem_realloc(void *ptr, size_t len)
{
	size_t keep = secmem_size(ptr);
	void *p = secmem_alloc(len);

	if (!p)
		return NULL;
	if (keep > len)
		keep = len;
	if (keep)
		memcpy(p, ptr, keep);
	secmem_free(ptr);
	return p;
}

char *secmem_strdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *p = secmem_alloc(len);

	if (p)
		memcpy(p, s, len);
	return p;
}

int secmem_harden_process(void)
{
	struct rlimit no_core = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &no_core) < 0)
		return -errno;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		return -errno;
	return 0;
}
