/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ECS-style JSON of disks and snapshots, from one table of fields
 * (render.c): which name a field has for a disk and for a snapshot, in
 * which replies it appears, and where its value is.
 */
#ifndef ECSENC_RENDER_H
#define ECSENC_RENDER_H

#include <json-c/json.h>

#include "core.h"

enum render_view {
	RENDER_FULL = 1 << 0,	/* describe, create, reset: every field */
	RENDER_ATTACH = 1 << 1,	/* attach-disk: the id and the device */
	RENDER_ID = 1 << 2,	/* detach, delete: the id */
};

struct json_object *render_object(const struct core_object *o,
				  enum render_view view);

/* {"Disks": [...]} or {"Snapshots": [...]}: an empty list to fill. */
struct json_object *render_list_new(enum catalog_kind kind,
				    struct json_object **array);
/* core_list visitor: append @o's full description to the array @arg. */
int render_into_array(const struct core_object *o, void *array);

#endif
