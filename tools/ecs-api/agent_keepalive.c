// SPDX-License-Identifier: GPL-2.0
/*
 * AgentKeepAlive (not ECS): an agent running a task does not poll, so it
 * says it is alive meanwhile, every KeepAliveMs (a third of
 * --agent-silence, given in every AgentPoll answer and in this one's).
 * It counts as a poll for the instance's status: an instance whose agent
 * works on a long task stays Running, and AttachDisk Force=true does not
 * fence it.
 */
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "log.h"

int64_t agent_keep_alive_ms(const struct ecs_api *api)
{
	return (int64_t)api->opt.agent_silence_s * 1000 / 3;
}

enum ecs_err act_agent_keep_alive(struct api_call *call)
{
	struct ecs_api *api = call->api;
	struct ecs_instance i;

	if (api->ops->instance_get(api->store, call->instance, &i) < 0) {
		memset(&i, 0, sizeof(i));
		snprintf(i.id, sizeof(i.id), "%s", call->instance);
		snprintf(i.account, sizeof(i.account), "%s", call->account);
	}
	i.last_seen_ms = now_ms();
	if (api->ops->instance_put(api->store, &i) < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The instance could not be recorded.");
	call->reply = json_object_new_object();
	json_object_object_add(call->reply, "KeepAliveMs",
			       json_object_new_int64(agent_keep_alive_ms(api)));
	return ECS_ERR_NONE;
}
