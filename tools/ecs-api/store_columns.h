/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which field of a disk, a snapshot or an instance is which column: one
 * table each, read by both stores (store_sqlite.c, store_pg.c).  The
 * first column is the primary key.
 */
#ifndef ECS_API_STORE_COLUMNS_H
#define ECS_API_STORE_COLUMNS_H

#include <stddef.h>

#include "model.h"

enum col_type { COL_TEXT, COL_INT64, COL_BOOL, COL_ENUM, COL_INT };

struct column {
	const char *name;
	enum col_type type;
	size_t offset;
	size_t size;			/* COL_TEXT: the buffer's */
};

extern const struct column disk_cols[];
extern const struct column snapshot_cols[];
extern const struct column instance_cols[];

#endif
