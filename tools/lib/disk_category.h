/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ECS disk categories, declared once: what each is, whether ECS lets it be
 * encrypted, and whether several instances may attach it at once (shared
 * block storage).  The agent's checks, ecsenc-ctl's help and the messages
 * that list categories all read this table.
 */
#ifndef ECSENC_DISK_CATEGORY_H
#define ECSENC_DISK_CATEGORY_H

#include <stdbool.h>
#include <stddef.h>

struct disk_category {
	const char *name;		/* "cloud_ssd", as ECS spells it */
	bool encryptable;		/* ECS encrypts disks of this category */
	bool shared;			/* MultiAttach: several instances at once */
	const char *what;		/* one line for help and docs */
};

extern const struct disk_category disk_categories[];
extern const size_t n_disk_categories;

/* The entry named @name, or NULL. */
const struct disk_category *disk_category_find(const char *name);
/*
 * The names of the categories that match @encryptable_only (all of them
 * when false), joined with ", " into @buf; @buf is always terminated.
 */
void disk_category_list(char *buf, size_t len, bool encryptable_only);

#endif
