// SPDX-License-Identifier: GPL-2.0
/*
 * Instances and regions for users; AgentPoll and AgentReport for the
 * instances' agents, which connect out to the server (link.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "link.h"
#include "log.h"
#include "render.h"
#include "resources.h"
#include "tasks.h"

struct instance_filter {
	struct api_call *call;
	struct json_object *items;
};

static int instance_matches(const struct ecs_instance *i, void *arg)
{
	struct instance_filter *f = arg;
	const struct api_args *a = &f->call->args;
	enum instance_status st = instance_status(f->call->api, i);
	const char *region = i->region[0] ? i->region : f->call->api->opt.regions[0];
	bool listed = !a->n_instance_ids;

	for (size_t k = 0; k < a->n_instance_ids; k++)
		listed |= !strcmp(a->instance_ids[k], i->id);
	if (strcmp(region, a->region_id) || !listed ||
	    (a->status && strcmp(a->status, instance_status_name(st))))
		return 0;
	json_object_array_add(f->items, render_instance(i, st));
	return 0;
}

enum ecs_err act_describe_instances(struct api_call *call)
{
	struct ecs_api *api = call->api;
	struct instance_filter f = { call, json_object_new_array() };

	call->reply = json_object_new_object();
	if (api->ops->instance_list(api->store, call->account, instance_matches, &f) < 0) {
		json_object_put(f.items);
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The instances cannot be listed.");
	}
	return render_page(call, f.items, "Instances", "Instance");
}

enum ecs_err act_describe_regions(struct api_call *call)
{
	struct json_object *list = json_object_new_array(), *wrap;

	for (size_t i = 0; i < call->api->opt.n_regions; i++) {
		struct json_object *r = json_object_new_object();

		json_object_object_add(r, "RegionId",
				       json_object_new_string(call->api->opt.regions[i]));
		json_object_object_add(r, "LocalName",
				       json_object_new_string(call->api->opt.regions[i]));
		json_object_object_add(r, "Status", json_object_new_string("available"));
		json_object_array_add(list, r);
	}
	call->reply = json_object_new_object();
	wrap = json_object_new_object();
	json_object_object_add(wrap, "Region", list);
	json_object_object_add(call->reply, "Regions", wrap);
	return ECS_ERR_NONE;
}

struct poll_out {
	struct api_call *call;
	struct json_object *tasks;
};

/* Hand a task over: its snapshot's Progress moves when its agent has it. */
static int hand_over(const struct ecs_task *t, void *arg)
{
	struct poll_out *p = arg;
	struct ecs_api *api = p->call->api;
	struct json_object *o = json_object_new_object();
	struct ecs_snapshot s;

	/* Sent again too: a store shared by servers dates each sending. */
	if (api->ops->task_set_state(api->store, t->id, TASK_SENT) < 0) {
		json_object_put(o);
		return -1;
	}
	if (t->state == TASK_QUEUED) {
		if ((t->op == AGENT_OP_CREATE_SNAPSHOT || t->op == AGENT_OP_COPY_SNAPSHOT) &&
		    api->ops->snapshot_get(api->store, t->resource, &s) == 0 &&
		    s.status == SNAPSHOT_PROGRESSING) {
			s.progress = 50;
			api->ops->snapshot_put(api->store, &s);
		}
	}
	log_info("RequestId %s: task %lld handed to %s %lld ms after it was queued",
		 t->request_id, (long long)t->id, t->instance,
		 (long long)(now_ms() - t->created_ms));
	json_object_object_add(o, "TaskId", json_object_new_int64(t->id));
	json_object_object_add(o, "RequestId", json_object_new_string(t->request_id));
	json_object_object_add(o, "Request", json_object_new_string(t->request));
	json_object_array_add(p->tasks, o);
	return 0;
}

/*
 * Every task not yet reported, oldest first: the agent runs them in order
 * and polls again only when it has reported them, so a task sent before is
 * one the agent lost (it restarted) and is sent again.
 */
enum ecs_err act_agent_poll(struct api_call *call)
{
	struct ecs_api *api = call->api;
	struct poll_out p = { call, json_object_new_array() };
	struct json_object *wrap;
	struct ecs_instance i;

	if (!call->link_generation_read) {
		call->link_generation = link_generation(api->link, call->instance);
		call->link_generation_read = true;
	}
	if (api->ops->instance_get(api->store, call->instance, &i) < 0) {
		memset(&i, 0, sizeof(i));
		snprintf(i.id, sizeof(i.id), "%s", call->instance);
		snprintf(i.account, sizeof(i.account), "%s", call->account);
	}
	/*
	 * A poll the server resumes (its deadline passed, or work came) is
	 * no sign of life: the agent may have died while it was parked.  So
	 * an instance is Stopped --agent-silence after its agent's last poll.
	 */
	if (!call->resumed)
		i.last_seen_ms = now_ms();
	if (call->args.region_id)
		snprintf(i.region, sizeof(i.region), "%s", call->args.region_id);
	if (call->args.backend)
		snprintf(i.backend, sizeof(i.backend), "%s", call->args.backend);
	if (api->ops->instance_put(api->store, &i) < 0 ||
	    api->ops->task_list_open(api->store, call->instance, hand_over, &p) < 0) {
		json_object_put(p.tasks);
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The tasks cannot be read.");
	}
	if (!json_object_array_length(p.tasks) && !call->resumed) {
		json_object_put(p.tasks);
		call->park = true;
		return ECS_ERR_NONE;
	}
	call->reply = json_object_new_object();
	wrap = json_object_new_object();
	json_object_object_add(wrap, "Task", p.tasks);
	json_object_object_add(call->reply, "Tasks", wrap);
	/* While it runs them, the agent calls AgentKeepAlive this often. */
	json_object_object_add(call->reply, "KeepAliveMs",
			       json_object_new_int64(agent_keep_alive_ms(api)));
	return ECS_ERR_NONE;
}

enum ecs_err act_agent_report(struct api_call *call)
{
	struct ecs_api *api = call->api;
	struct json_object *reply;
	struct ecs_task t = { 0 };
	enum ecs_err e;

	if (api->ops->task_get(api->store, call->args.task_id, &t) < 0 ||
	    strcmp(t.instance, call->instance)) {
		if (t.request)
			task_release(&t);
		return api_fail(call, ECS_ERR_INVALID_PARAMETER,
				"The task %lld is not this instance's.",
				(long long)call->args.task_id);
	}
	/* Reported before: a report sent again changes nothing. */
	if (t.state == TASK_DONE) {
		task_release(&t);
		return ECS_ERR_NONE;
	}
	reply = json_tokener_parse(call->args.result);
	if (!reply || !json_object_is_type(reply, json_type_object)) {
		json_object_put(reply);
		task_release(&t);
		return api_fail(call, ECS_ERR_INVALID_PARAMETER,
				"Result is not an agent reply.");
	}
	e = task_apply_report(call, &t, reply);
	json_object_put(reply);
	task_release(&t);
	return e;
}
