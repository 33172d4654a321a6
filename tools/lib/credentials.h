/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Access keys from a credentials file: one "<AccessKeyId> <AccessKeySecret>"
 * per line, or with a fixed number of fields more (an ECS API server's
 * "<AccessKeyId> <AccessKeySecret> <AccountId>"); blank lines and lines
 * starting with '#' are ignored.  The whole file, and so every secret,
 * lives in one locked, wiped secmem buffer.
 */
#ifndef ECSENC_CREDENTIALS_H
#define ECSENC_CREDENTIALS_H

#include <stddef.h>

#define CREDENTIAL_MAX_EXTRA 2

struct credential {
	const char *id;		/* AccessKeyId */
	const char *secret;	/* AccessKeySecret, in secmem */
	const char *extra[CREDENTIAL_MAX_EXTRA]; /* fields after the secret */
};

struct credentials {
	size_t count;
	struct credential *keys;
	char *buf;		/* secmem: the file text, NULs at separators */
};

/* 0, or -errno (-EINVAL for a malformed line, logged with its number). */
int credentials_load(const char *path, struct credentials **out);
/*
 * The same, each line with exactly @n_extra fields after the secret
 * (<= CREDENTIAL_MAX_EXTRA); @format names them all for the error message.
 */
int credentials_load_fields(const char *path, size_t n_extra,
			    const char *format, struct credentials **out);
void credentials_free(struct credentials *creds);

/* The key with that id, or NULL. */
const struct credential *credentials_find(const struct credentials *creds,
					  const char *id);

#endif
