// SPDX-License-Identifier: GPL-2.0
/* Lookups by account, liveness, ClientTokens (resources.h). */
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "kms_sign.h"
#include "link.h"
#include "resources.h"

enum ecs_err find_disk(struct api_call *call, const char *id, struct ecs_disk *d)
{
	struct ecs_api *api = call->api;

	if (api->ops->disk_get(api->store, id, d) < 0 ||
	    strcmp(d->account, call->account))
		return api_fail(call, ECS_ERR_DISK_NOT_FOUND,
				"The specified disk %s does not exist.", id);
	return ECS_ERR_NONE;
}

enum ecs_err find_snapshot(struct api_call *call, const char *id,
			   struct ecs_snapshot *s)
{
	struct ecs_api *api = call->api;

	if (api->ops->snapshot_get(api->store, id, s) < 0 ||
	    strcmp(s->account, call->account))
		return api_fail(call, ECS_ERR_SNAPSHOT_NOT_FOUND,
				"The specified snapshot %s does not exist.", id);
	return ECS_ERR_NONE;
}

enum ecs_err find_instance(struct api_call *call, const char *id,
			   struct ecs_instance *i)
{
	struct ecs_api *api = call->api;

	if (api->ops->instance_get(api->store, id, i) < 0 ||
	    strcmp(i->account, call->account))
		return api_fail(call, ECS_ERR_INSTANCE_NOT_FOUND,
				"The specified instance %s does not exist.", id);
	return ECS_ERR_NONE;
}

enum instance_status instance_status(struct ecs_api *api,
				     const struct ecs_instance *i)
{
	if (link_parked(api->link, i->id) ||
	    (i->last_seen_ms &&
	     now_ms() - i->last_seen_ms < (int64_t)api->opt.agent_silence_s * 1000))
		return INSTANCE_RUNNING;
	return INSTANCE_STOPPED;
}

/* SHA-256 of the action's given parameters, in the table's order. */
static void params_hash(struct api_call *call, char out[STORE_HASH_LEN + 1])
{
	char buf[8192];
	size_t n = 0;

	for (const struct api_param *p = call->action->params; p->name; p++) {
		const char *v = signed_request_param(call->req, p->name);

		if (v && strcmp(p->name, "ClientToken") && n < sizeof(buf))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s=%s\n",
					      p->name, v);
	}
	kms_sha256_hex(buf, n < sizeof(buf) ? n : sizeof(buf), out);
}

enum ecs_err token_check(struct api_call *call, char resource[ECS_ID_MAX])
{
	struct ecs_api *api = call->api;
	char want[STORE_HASH_LEN + 1], had[STORE_HASH_LEN + 1];

	resource[0] = '\0';
	if (!call->args.client_token || !*call->args.client_token)
		return ECS_ERR_NONE;
	if (api->ops->token_get(api->store, call->account, call->action->name,
				call->args.client_token, had, resource) < 0) {
		resource[0] = '\0';
		return ECS_ERR_NONE;
	}
	params_hash(call, want);
	if (strcmp(want, had)) {
		resource[0] = '\0';
		return api_fail(call, ECS_ERR_IDEMPOTENT_MISMATCH,
				"The ClientToken %s was used with other parameters.",
				call->args.client_token);
	}
	return ECS_ERR_NONE;
}

enum ecs_err token_record(struct api_call *call, const char *resource)
{
	struct ecs_api *api = call->api;
	char hash[STORE_HASH_LEN + 1];

	if (!call->args.client_token || !*call->args.client_token)
		return ECS_ERR_NONE;
	params_hash(call, hash);
	if (api->ops->token_put(api->store, call->account, call->action->name,
				call->args.client_token, hash, resource) < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The ClientToken could not be recorded.");
	return ECS_ERR_NONE;
}

bool id_listed(const char *const *ids, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ids[i], id))
			return true;
	return false;
}
