/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The encryption-by-default settings of every region, in a small file of
 * their own beside the catalog (catalog.c keeps them in both).  The
 * catalog is a cache that a damaged disk or a crash may cost and that is
 * rebuilt from the stores' headers; these settings are in no header, so
 * they must outlive it.  Text, one line a region, the SHA-256 of all the
 * lines last; written whole to a temporary file, synced, renamed over the
 * old one and the directory synced, so that a crash leaves the old file
 * or the new one, and any other damage is seen.
 */
#ifndef ECSENC_DEFAULTS_FILE_H
#define ECSENC_DEFAULTS_FILE_H

#include <stddef.h>

#include "catalog.h"

#define DEFAULTS_FILE_NAME	"encryption-by-default"

struct defaults_region {
	char region[REGION_ID_MAX + 1];
	struct catalog_defaults d;
};

struct defaults_set {
	/*
	 * The settings were lost once (the catalog and this file both
	 * damaged): a region not listed is unknown, not off, until an
	 * operator states it.
	 */
	int lost;
	size_t n;			/* used entries of @regions */
	struct defaults_region *regions;	/* malloc'd */
};

/* -ENOENT when there is no file, -EBADMSG when it is damaged. */
int defaults_file_read(const char *path, struct defaults_set *s);
int defaults_file_write(const char *path, const struct defaults_set *s);
/* Add or replace @region's settings in @s. */
int defaults_set_put(struct defaults_set *s, const char *region,
		     const struct catalog_defaults *d);
void defaults_set_free(struct defaults_set *s);

#endif
