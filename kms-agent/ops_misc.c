// SPDX-License-Identifier: GPL-2.0
/* describe-kms-usage and rebuild-catalog. */
#include <string.h>

#include "catalog.h"
#include "core.h"

/* The management operations whose KMS calls ECS bills. */
static const char *const billed_ops[] = {
	"CreateDisk", "AttachDisk", "DetachDisk", "CreateSnapshot",
	"ResetDisk", "ReInitDisk", "RewrapDisk", "RewrapSnapshot", "CopySnapshot",
};

static struct json_object *usage_row(struct json_object *regions,
				     const char *region, const char *op)
{
	struct json_object *reg, *ops, *row;

	if (!json_object_object_get_ex(regions, region, &reg)) {
		reg = json_object_new_object();
		ops = json_object_new_object();
		for (size_t i = 0; i < sizeof(billed_ops) / sizeof(*billed_ops); i++) {
			row = json_object_new_object();
			json_object_object_add(row, "KmsCalls", json_object_new_int64(0));
			json_object_object_add(row, "Actions", json_object_new_object());
			json_object_object_add(ops, billed_ops[i], row);
		}
		json_object_object_add(reg, "KmsCalls", json_object_new_int64(0));
		json_object_object_add(reg, "Operations", ops);
		json_object_object_add(regions, region, reg);
	}
	json_object_object_get_ex(reg, "Operations", &ops);
	if (!json_object_object_get_ex(ops, op, &row)) {
		row = json_object_new_object();
		json_object_object_add(row, "KmsCalls", json_object_new_int64(0));
		json_object_object_add(row, "Actions", json_object_new_object());
		json_object_object_add(ops, op, row);
	}
	return row;
}

static void add_count(struct json_object *o, const char *key, int64_t n)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, key, &v))
		json_object_set_int64(v, json_object_get_int64(v) + n);
	else
		json_object_object_add(o, key, json_object_new_int64(n));
}

static int usage_visit(const char *region, const char *op, const char *action,
		       int64_t calls, void *arg)
{
	struct json_object *regions = arg, *row, *actions, *reg;

	row = usage_row(regions, region, op);
	add_count(row, "KmsCalls", calls);
	json_object_object_get_ex(row, "Actions", &actions);
	add_count(actions, action, calls);
	json_object_object_get_ex(regions, region, &reg);
	add_count(reg, "KmsCalls", calls);
	return 0;
}

int op_describe_kms_usage(struct op_ctx *ctx, const struct agent_args *args,
			  struct json_object **result)
{
	struct json_object *regions = json_object_new_object();
	int r;

	usage_row(regions, ctx->region, billed_ops[0]);
	r = catalog_list_usage(ctx->agent->catalog, usage_visit, regions);
	if (r < 0) {
		json_object_put(regions);
		return op_fail(ctx, r, "catalog usage listing failed");
	}
	*result = json_object_new_object();
	json_object_object_add(*result, "Regions", regions);
	return 0;
}

int op_rebuild_catalog(struct op_ctx *ctx, const struct agent_args *args,
		       struct json_object **result)
{
	int count, r;

	r = core_rebuild_catalog(ctx->agent, &count);
	if (r < 0)
		return op_fail(ctx, r, "catalog rebuild failed: %s", strerror(-r));
	*result = json_object_new_object();
	json_object_object_add(*result, "Objects", json_object_new_int(count));
	return 0;
}
