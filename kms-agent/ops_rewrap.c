// SPDX-License-Identifier: GPL-2.0
/* rewrap-disk and rewrap-snapshot: to the arguments to the core, and back. */
#include "core.h"
#include "render.h"

static int rewrap(struct op_ctx *ctx, enum catalog_kind kind, const char *id,
		  const char *key, struct json_object **result)
{
	struct core_object o;
	int r = core_rewrap(ctx, kind, id, key, &o);

	if (r == 0)
		*result = render_object(&o, RENDER_FULL);
	return r;
}

int op_rewrap_disk(struct op_ctx *ctx, const struct agent_args *args,
		   struct json_object **result)
{
	return rewrap(ctx, CATALOG_DISK, args->disk_id, args->kms_key_id, result);
}

int op_rewrap_snapshot(struct op_ctx *ctx, const struct agent_args *args,
		       struct json_object **result)
{
	return rewrap(ctx, CATALOG_SNAPSHOT, args->snapshot_id, args->kms_key_id,
		      result);
}
