// SPDX-License-Identifier: GPL-2.0
/*
 * The six encryption-by-default actions: per account and region, kept by
 * the server and applied by CreateDisk (disks.c), so that every instance
 * of the account follows one setting.
 */
#include <stdio.h>
#include "actions.h"

static enum ecs_err load(struct api_call *call, struct ecs_default_encryption *d)
{
	struct ecs_api *api = call->api;

	call->reply = json_object_new_object();
	if (api->ops->default_encryption_get(api->store, call->account,
					     call->args.region_id, d) < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The settings cannot be read.");
	return ECS_ERR_NONE;
}

static enum ecs_err save(struct api_call *call, const struct ecs_default_encryption *d)
{
	struct ecs_api *api = call->api;

	if (api->ops->default_encryption_put(api->store, call->account,
					     call->args.region_id, d) < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The settings cannot be written.");
	return ECS_ERR_NONE;
}

static enum ecs_err set_enabled(struct api_call *call, bool on)
{
	struct ecs_default_encryption d;
	enum ecs_err e = load(call, &d);

	d.enabled = on;
	return e ? e : save(call, &d);
}

enum ecs_err act_enable_default_encryption(struct api_call *call)
{
	return set_enabled(call, true);
}

enum ecs_err act_disable_default_encryption(struct api_call *call)
{
	return set_enabled(call, false);
}

enum ecs_err act_describe_default_encryption(struct api_call *call)
{
	struct ecs_default_encryption d;
	enum ecs_err e = load(call, &d);

	if (!e)
		json_object_object_add(call->reply, "Encrypted",
				       json_object_new_boolean(d.enabled));
	return e;
}

enum ecs_err act_describe_default_key(struct api_call *call)
{
	struct ecs_default_encryption d;
	enum ecs_err e = load(call, &d);

	if (!e)
		json_object_object_add(call->reply, "KMSKeyId",
				       json_object_new_string(d.kms_key_id));
	return e;
}

enum ecs_err act_modify_default_key(struct api_call *call)
{
	struct ecs_default_encryption d;
	enum ecs_err e = load(call, &d);

	if (e)
		return e;
	snprintf(d.kms_key_id, sizeof(d.kms_key_id), "%s", call->args.kms_key_id);
	return save(call, &d);
}

enum ecs_err act_reset_default_key(struct api_call *call)
{
	struct ecs_default_encryption d;
	enum ecs_err e = load(call, &d);

	if (e)
		return e;
	d.kms_key_id[0] = '\0';
	return save(call, &d);
}
