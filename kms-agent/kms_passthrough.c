// SPDX-License-Identifier: GPL-2.0
/*
 * The kms op: one signed KMS call for the operator, for key management
 * only.  The agent's credentials may unwrap every disk key of the account,
 * so nothing that returns, derives or re-wraps key material is passed
 * through, whatever the spelling of its parameters: the action must be on
 * the allow-list below (exact match, as the KMS matches actions), and no
 * parameter may override what the agent signs itself.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "agent.h"
#include "agent_kms.h"

/* Key management: states, aliases, versions, rotation, BYOK import. */
static const char *const allowed_actions[] = {
	"CreateKey", "DescribeKey", "ListKeys", "UpdateKeyDescription",
	"EnableKey", "DisableKey", "ScheduleKeyDeletion", "CancelKeyDeletion",
	"GetParametersForImport", "ImportKeyMaterial", "DeleteKeyMaterial",
	"CreateAlias", "UpdateAlias", "DeleteAlias", "ListAliases",
	"ListAliasesByKeyId", "CreateKeyVersion", "ListKeyVersions",
	"DescribeKeyVersion", "UpdateRotationPolicy", "DescribeRegions",
	/* The KMS emulator's own administration (its clock, its meter). */
	"AdvanceClock", "DescribeMetering",
};

/* Parameters the client signs itself; a second copy could replace them. */
static const char *const signed_by_agent[] = {
	"Action", "Version", "Format", "Timestamp", "SignatureNonce",
	"AccessKeyId", "SignatureMethod", "SignatureVersion", "Signature",
	"RegionId",
};

static int listed(const char *s, const char *const *list, size_t n,
		  int (*cmp)(const char *, const char *))
{
	for (size_t i = 0; i < n; i++)
		if (!cmp(list[i], s))
			return 1;
	return 0;
}

#define LISTED(s, list, cmp) listed(s, list, sizeof(list) / sizeof(*list), cmp)

int op_kms_call(struct op_ctx *ctx, const struct agent_args *args,
		struct json_object **result)
{
	const char *params[2 * AGENT_MAX_KMS_PARAMS + 1];
	struct kms_response resp;
	size_t n = 0;
	int r;

	if (!LISTED(args->action, allowed_actions, strcmp))
		return op_fail_code(ctx, -EPERM, ECS_ERR_KMS_ACTION_FORBIDDEN,
			"the agent passes only key-management actions to the KMS, not %s; disk data keys are unwrapped by the agent alone",
			args->action);
	for (size_t i = 0; i < args->n_params; i++) {
		if (LISTED(args->params[i].name, signed_by_agent, strcasecmp))
			return op_fail_code(ctx, -EINVAL, ECS_ERR_INVALID_PARAMETER,
				"%s is set by the agent, not by the caller%s",
				args->params[i].name,
				strcasecmp(args->params[i].name, "RegionId") ?
				"" : " (use --region)");
		params[n++] = args->params[i].name;
		params[n++] = args->params[i].value;
	}
	params[n] = NULL;
	/* One call, as the user asked: no retry. */
	r = agent_kms_call_once(ctx, args->action, params, &resp);
	if (r < 0)
		return r;
	/* The reply is wiped when it has been sent (server.c). */
	*result = resp.body;
	resp.body = NULL;
	kms_response_release(&resp);
	return 0;
}
