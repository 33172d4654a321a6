/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Buffers for secrets: page-aligned, mlock()ed, excluded from core dumps,
 * and wiped before they are returned to the system.
 */
#ifndef ECSENC_SECMEM_H
#define ECSENC_SECMEM_H

#include <stddef.h>

void *secmem_alloc(size_t len);
void secmem_free(void *ptr);
size_t secmem_size(const void *ptr);

/*
 * Move @ptr's contents into a new buffer of @len bytes: the first
 * min(secmem_size(@ptr), @len) are kept, any further bytes are zero, and
 * the old buffer is wiped and freed.  On failure NULL is returned (errno
 * set) and @ptr is left as it was.  secmem_realloc(NULL, len) is
 * secmem_alloc(len).
 */
void *secmem_realloc(void *ptr, size_t len);

/* A copy of @s and its NUL in a new buffer, or NULL. */
char *secmem_strdup(const char *s);

/* Zero memory in a way the compiler may not drop. */
void secmem_wipe(void *ptr, size_t len);

/* Lock every page of the process and forbid core dumps. */
int secmem_harden_process(void);

#endif
