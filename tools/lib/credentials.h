/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Access keys from a credentials file: one "<AccessKeyId> <AccessKeySecret>"
 * per line; blank lines and lines starting with '#' are ignored.  The whole
 * file, and so every secret, lives in one locked, wiped secmem buffer.
 */
#ifndef ECSENC_CREDENTIALS_H
#define ECSENC_CREDENTIALS_H

#include <stddef.h>

struct credential {
	const char *id;		/* AccessKeyId */
	const char *secret;	/* AccessKeySecret, in secmem */
};

struct credentials {
	size_t count;
	struct credential *keys;
	char *buf;		/* secmem: the file text, NULs at separators */
};

/* 0, or -errno (-EINVAL for a malformed line, logged with its number). */
int credentials_load(const char *path, struct credentials **out);
void credentials_free(struct credentials *creds);

/* The key with that id, or NULL. */
const struct credential *credentials_find(const struct credentials *creds,
					  const char *id);

#endif
