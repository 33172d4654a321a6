// SPDX-License-Identifier: GPL-2.0
/*
 * The credentials file parser.  Every key it accepts is a non-empty id
 * and secret without blanks, and credentials_find() finds each id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "credentials.h"
#include "support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct credentials *c = NULL;
	char path[64];
	size_t i;
	int fd = fuzz_memfd(data, size);

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (credentials_load(path, &c) == 0) {
		if (!c->count)
			abort();
		for (i = 0; i < c->count; i++) {
			const struct credential *k = &c->keys[i];
			const struct credential *found = credentials_find(c, k->id);

			if (!*k->id || !*k->secret || *k->id == '#' ||
			    strpbrk(k->id, " \t\n") || strpbrk(k->secret, " \t\n") ||
			    !found || strcmp(found->id, k->id))
				abort();
		}
		credentials_free(c);
	}
	close(fd);
	return 0;
}
