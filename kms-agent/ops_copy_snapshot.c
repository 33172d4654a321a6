// SPDX-License-Identifier: GPL-2.0
/* copy-snapshot (ECS CopySnapshot): the arguments to the core, and back. */
#include "core.h"
#include "render.h"

int op_copy_snapshot(struct op_ctx *ctx, const struct agent_args *args,
		     struct json_object **result)
{
	const struct core_snapshot_copy req = {
		.snapshot_id = args->snapshot_id,
		.kms_key_id = args->kms_key_id,
		.region = args->destination_region,
		.encrypted = args->encrypted,
	};
	struct core_object o;
	int r = core_made_before(ctx, CATALOG_SNAPSHOT, req.region, &o);

	if (r < 0)
		r = core_copy_snapshot(ctx, &req, &o);

	if (r == 0)
		*result = render_object(&o, RENDER_FULL);
	return r;
}
