// SPDX-License-Identifier: GPL-2.0
/* The column tables of store_columns.h. */
#include "store_columns.h"

#define TEXT(s, f) { #f, COL_TEXT, offsetof(struct s, f), sizeof(((struct s *)0)->f) }
#define INT64(s, f) { #f, COL_INT64, offsetof(struct s, f), 0 }
#define BOOL(s, f) { #f, COL_BOOL, offsetof(struct s, f), 0 }
#define ENUM(s, f) { #f, COL_ENUM, offsetof(struct s, f), 0 }
#define INT(s, f) { #f, COL_INT, offsetof(struct s, f), 0 }

const struct column disk_cols[] = {
	TEXT(ecs_disk, id), TEXT(ecs_disk, account), TEXT(ecs_disk, region),
	TEXT(ecs_disk, zone), TEXT(ecs_disk, host), TEXT(ecs_disk, instance),
	TEXT(ecs_disk, category), TEXT(ecs_disk, kms_key_id),
	TEXT(ecs_disk, snapshot_id), TEXT(ecs_disk, name),
	TEXT(ecs_disk, description), TEXT(ecs_disk, device),
	INT64(ecs_disk, size_gib), BOOL(ecs_disk, encrypted),
	BOOL(ecs_disk, multi_attach), ENUM(ecs_disk, status),
	INT64(ecs_disk, created), INT64(ecs_disk, attached_at),
	{ NULL, 0, 0, 0 }
};

const struct column snapshot_cols[] = {
	TEXT(ecs_snapshot, id), TEXT(ecs_snapshot, account),
	TEXT(ecs_snapshot, region), TEXT(ecs_snapshot, host),
	TEXT(ecs_snapshot, source_disk), TEXT(ecs_snapshot, category),
	TEXT(ecs_snapshot, kms_key_id), TEXT(ecs_snapshot, name),
	TEXT(ecs_snapshot, description), INT64(ecs_snapshot, source_size_gib),
	BOOL(ecs_snapshot, encrypted), ENUM(ecs_snapshot, status),
	INT(ecs_snapshot, progress), INT64(ecs_snapshot, created),
	{ NULL, 0, 0, 0 }
};

const struct column instance_cols[] = {
	TEXT(ecs_instance, id), TEXT(ecs_instance, account),
	TEXT(ecs_instance, region), INT64(ecs_instance, last_seen_ms),
	TEXT(ecs_instance, backend),
	{ NULL, 0, 0, 0 }
};
