// SPDX-License-Identifier: GPL-2.0
/* describe-audit-events and verify-audit-log: the audit trail (audit.h). */
#include <errno.h>

#include "audit.h"

#define AUDIT_MAX_EVENTS	1000	/* the newest, in one answer */

static int no_log(struct op_ctx *ctx)
{
	return op_fail(ctx, -ENOENT, "this agent keeps no audit log");
}

int op_describe_audit_events(struct op_ctx *ctx, const struct agent_args *args,
			     struct json_object **result)
{
	struct json_object *array;
	int r;

	if (!ctx->agent->audit)
		return no_log(ctx);
	array = json_object_new_array();
	r = audit_list(ctx->agent->audit, args->disk_id, AUDIT_MAX_EVENTS, array);
	if (r < 0) {
		json_object_put(array);
		return op_fail(ctx, r, "cannot read the audit log");
	}
	*result = json_object_new_object();
	json_object_object_add(*result, "AuditEvents", array);
	return 0;
}

int op_verify_audit_log(struct op_ctx *ctx, const struct agent_args *args,
			struct json_object **result)
{
	char why[256] = "";
	long records = 0;
	int r;

	(void)args;
	if (!ctx->agent->audit)
		return no_log(ctx);
	r = audit_verify(ctx->agent->audit, &records, why, sizeof(why));
	if (r == -EBADMSG)
		return op_fail_code(ctx, r, ECS_ERR_AUDIT_TAMPERED,
				    "the audit log fails verification: %s", why);
	if (r < 0)
		return op_fail(ctx, r, "cannot read the audit log: %s", why);
	*result = json_object_new_object();
	json_object_object_add(*result, "Valid", json_object_new_boolean(1));
	json_object_object_add(*result, "Records", json_object_new_int64(records));
	return 0;
}
