// SPDX-License-Identifier: GPL-2.0
/*
 * The protocol's disk and snapshot operations: each takes its decoded
 * arguments to the lifecycle core (core.h) and renders the answer
 * (render.h).  Nothing here touches a store, the catalog or the kernel.
 */
#include "core.h"
#include "default_encryption.h"
#include "render.h"

/* One object in, one rendered object out. */
static int answer(int r, const struct core_object *o, enum render_view view,
		  struct json_object **result)
{
	if (r == 0)
		*result = render_object(o, view);
	return r;
}

int op_create_disk(struct op_ctx *ctx, const struct agent_args *args,
		   struct json_object **result)
{
	struct core_new_disk req = {
		.size = args->size,	/* within the limits: agent_ops.c */
		.category = args->category,
		.encrypted = args->encrypted,
		.kms_key_id = args->kms_key_id,
		.snapshot_id = args->snapshot_id,
	};
	char default_key[DEFAULT_KEY_MAX];
	struct core_object o;
	int r, by_default;

	if (core_made_before(ctx, CATALOG_DISK, NULL, &o) == 0)
		return answer(0, &o, RENDER_FULL, result);
	r = default_encryption_apply(ctx, args->unencrypted, args->copy_source,
				     &req, default_key, &by_default);
	if (r < 0)
		return r;
	r = core_create_disk(ctx, &req, &o);
	if (r < 0 && by_default)
		return default_encryption_failed(ctx, r, &req);
	return answer(r, &o, RENDER_FULL, result);
}

int op_attach_disk(struct op_ctx *ctx, const struct agent_args *args,
		   struct json_object **result)
{
	struct core_object o;

	return answer(core_attach(ctx, args->disk_id, args->force, &o), &o,
		      RENDER_ATTACH, result);
}

int op_detach_disk(struct op_ctx *ctx, const struct agent_args *args,
		   struct json_object **result)
{
	struct core_object o;

	return answer(core_detach(ctx, args->disk_id, &o), &o, RENDER_ID, result);
}

int op_delete_disk(struct op_ctx *ctx, const struct agent_args *args,
		   struct json_object **result)
{
	struct core_object o;

	return answer(core_delete(ctx, CATALOG_DISK, args->disk_id, 0, &o), &o,
		      RENDER_ID, result);
}

int op_create_snapshot(struct op_ctx *ctx, const struct agent_args *args,
		       struct json_object **result)
{
	struct core_object o;

	if (core_made_before(ctx, CATALOG_SNAPSHOT, NULL, &o) == 0)
		return answer(0, &o, RENDER_FULL, result);
	return answer(core_snapshot(ctx, args->disk_id, &o), &o, RENDER_FULL,
		      result);
}

int op_delete_snapshot(struct op_ctx *ctx, const struct agent_args *args,
		       struct json_object **result)
{
	struct core_object o;

	return answer(core_delete(ctx, CATALOG_SNAPSHOT, args->snapshot_id,
				  args->force, &o),
		      &o, RENDER_ID, result);
}

int op_reset_disk(struct op_ctx *ctx, const struct agent_args *args,
		  struct json_object **result)
{
	struct core_object o;

	return answer(core_reset(ctx, args->disk_id, args->snapshot_id, &o), &o,
		      RENDER_FULL, result);
}

int op_reinit_disk(struct op_ctx *ctx, const struct agent_args *args,
		   struct json_object **result)
{
	struct core_object o;

	return answer(core_reinit(ctx, args->disk_id, &o), &o, RENDER_FULL,
		      result);
}

static int describe(struct op_ctx *ctx, enum catalog_kind kind,
		    const char *const *ids, size_t n_ids,
		    struct json_object **result)
{
	struct json_object *array, *list = render_list_new(kind, &array);
	struct core_object o;
	int r = 0;

	if (n_ids) {
		for (size_t i = 0; i < n_ids && r == 0; i++) {
			r = core_get(ctx, kind, ids[i], &o);
			if (r == 0)
				render_into_array(&o, array);
		}
	} else {
		r = core_list(ctx, kind, render_into_array, array);
	}
	if (r < 0) {
		json_object_put(list);
		return r;
	}
	*result = list;
	return 0;
}

int op_describe_disks(struct op_ctx *ctx, const struct agent_args *args,
		      struct json_object **result)
{
	return describe(ctx, CATALOG_DISK, args->disk_ids, args->n_disk_ids,
			result);
}

int op_describe_snapshots(struct op_ctx *ctx, const struct agent_args *args,
			  struct json_object **result)
{
	return describe(ctx, CATALOG_SNAPSHOT, NULL, 0, result);
}
