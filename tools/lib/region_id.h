/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Region ids (cn-hangzhou, ...): how long one may be, for everything that
 * holds one (the on-disk header's region field, the catalog, the agent's
 * KMS clients, the requests the agent accepts), and the one spelling a
 * region the agent is configured with may have.
 */
#ifndef ECSENC_REGION_ID_H
#define ECSENC_REGION_ID_H

#include <stdbool.h>

/* Bytes of a region id without its NUL: a buffer is REGION_ID_MAX + 1. */
#define REGION_ID_MAX	31

/*
 * A region id as ECS spells them: words of lower-case letters and digits
 * joined by single '-' or '.' (cn-hangzhou, ap-southeast-1, eu.test-1),
 * at most REGION_ID_MAX bytes.  It is also a host name label sequence,
 * so that a KMS endpoint template can carry it.
 */
static inline bool region_id_canonical(const char *s)
{
	bool word = false;	/* the last byte was a letter or digit */
	unsigned int n;

	for (n = 0; s[n]; n++) {
		char c = s[n];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			word = true;
		else if ((c == '-' || c == '.') && word)
			word = false;
		else
			return false;
		if (n == REGION_ID_MAX)
			return false;
	}
	return word;
}

#endif
