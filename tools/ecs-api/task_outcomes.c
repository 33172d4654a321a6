// SPDX-License-Identifier: GPL-2.0
/*
 * What became of the asynchronous actions, as ECS tells it: DescribeTasks
 * (TaskSet.Task[]) and DescribeTaskAttribute, whose OperationProgress
 * carries the ErrorCode and ErrorMsg of an action that failed on the
 * agent after its answer (a CreateDisk for which the host has no room).
 * A task shows here once its agent reported it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "render.h"
#include "tasks.h"

#define TASK_ID_PREFIX "t-"

static void task_name(int64_t id, char out[ECS_ID_MAX])
{
	snprintf(out, ECS_ID_MAX, TASK_ID_PREFIX "%lld", (long long)id);
}

int task_outcome_record(struct api_call *call, const struct ecs_task *t,
			const char *account, const char *region, bool ok,
			const char *code, const char *message)
{
	const struct agent_op *op = agent_op_get(t->op);
	struct ecs_task_outcome o = {
		.task_id = t->id, .failed = !ok, .created_ms = t->created_ms,
		.finished_ms = now_ms(),
	};

	if (!call->api->ops->task_outcome_put)
		return 0;	/* a store of an older interface */
	snprintf(o.account, sizeof(o.account), "%s", account);
	snprintf(o.region, sizeof(o.region), "%s", region);
	snprintf(o.action, sizeof(o.action), "%s", op && op->billing ? op->billing : "");
	snprintf(o.resource, sizeof(o.resource), "%s", t->resource);
	if (!ok) {
		snprintf(o.code, sizeof(o.code), "%s", code && *code ? code : "InternalError");
		snprintf(o.message, sizeof(o.message), "%s", message ? message : "");
	}
	return call->api->ops->task_outcome_put(call->api->store, &o);
}

static const char *task_status(const struct ecs_task_outcome *o)
{
	return o->failed ? "Failed" : "Finished";
}

/* TaskIds: "t-1,t-2", as ECS takes them. */
static bool task_listed(const char *ids, int64_t id)
{
	char name[ECS_ID_MAX];
	size_t n;

	task_name(id, name);
	n = strlen(name);
	for (const char *p = ids; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == ' ' || !p[n]))
			return true;
	}
	return false;
}

struct task_filter {
	struct api_call *call;
	struct json_object *items;
	struct ecs_task_outcome found;	/* DescribeTaskAttribute */
	bool have;
};

static int task_matches(const struct ecs_task_outcome *o, void *arg)
{
	struct task_filter *f = arg;
	const struct api_args *a = &f->call->args;
	struct json_object *t;
	char name[ECS_ID_MAX];

	if (strcmp(o->region, a->region_id) ||
	    (a->task_ids && !task_listed(a->task_ids, o->task_id)) ||
	    (a->task_action && strcmp(a->task_action, o->action)) ||
	    (a->task_status && strcmp(a->task_status, task_status(o))))
		return 0;
	task_name(o->task_id, name);
	t = json_object_new_object();
	json_object_object_add(t, "TaskId", json_object_new_string(name));
	json_object_object_add(t, "TaskAction", json_object_new_string(o->action));
	json_object_object_add(t, "TaskStatus", json_object_new_string(task_status(o)));
	json_object_object_add(t, "SupportCancel", json_object_new_string("false"));
	json_object_object_add(t, "CreationTime", ecs_time_json(o->created_ms / 1000));
	json_object_object_add(t, "FinishedTime", ecs_time_json(o->finished_ms / 1000));
	json_object_object_add(t, "ResourceId", json_object_new_string(o->resource));
	json_object_array_add(f->items, t);
	return 0;
}

enum ecs_err act_describe_tasks(struct api_call *call)
{
	struct ecs_api *api = call->api;
	struct task_filter f = { .call = call };

	if (!api->ops->task_outcome_list)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The %s store does not keep tasks.", api->ops->name);
	f.items = json_object_new_array();
	call->reply = json_object_new_object();
	if (api->ops->task_outcome_list(api->store, call->account, task_matches, &f) < 0) {
		json_object_put(f.items);
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE, "The tasks cannot be listed.");
	}
	json_object_object_add(call->reply, "RegionId", json_object_new_string(call->args.region_id));
	return render_page(call, f.items, "TaskSet", "Task");
}

static int task_named(const struct ecs_task_outcome *o, void *arg)
{
	struct task_filter *f = arg;
	char name[ECS_ID_MAX];

	task_name(o->task_id, name);
	if (strcmp(name, f->call->args.task_ref) ||
	    strcmp(o->region, f->call->args.region_id))
		return 0;
	f->found = *o;
	f->have = true;
	return 1;
}

static struct json_object *wrapped_array(struct json_object *one)
{
	struct json_object *a = json_object_new_array();

	json_object_array_add(a, one);
	return a;
}

static struct json_object *wrapped(const char *inner, struct json_object *v)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, inner, v);
	return o;
}

enum ecs_err act_describe_task_attribute(struct api_call *call)
{
	struct ecs_api *api = call->api;
	struct task_filter f = { .call = call };
	const struct ecs_task_outcome *o = &f.found;
	struct json_object *r, *progress, *item;

	if (!api->ops->task_outcome_list)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The %s store does not keep tasks.", api->ops->name);
	if (api->ops->task_outcome_list(api->store, call->account, task_named, &f) < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE, "The tasks cannot be read.");
	if (!f.have)
		return api_fail(call, ECS_ERR_TASK_NOT_FOUND,
				"The specified task %s does not exist.", call->args.task_ref);
	r = call->reply = json_object_new_object();
	json_object_object_add(r, "TaskId", json_object_new_string(call->args.task_ref));
	json_object_object_add(r, "RegionId", json_object_new_string(o->region));
	json_object_object_add(r, "TaskAction", json_object_new_string(o->action));
	json_object_object_add(r, "TaskStatus", json_object_new_string(task_status(o)));
	json_object_object_add(r, "SupportCancel", json_object_new_string("false"));
	json_object_object_add(r, "TotalCount", json_object_new_int(1));
	json_object_object_add(r, "SuccessCount", json_object_new_int(!o->failed));
	json_object_object_add(r, "FailedCount", json_object_new_int(o->failed));
	json_object_object_add(r, "TaskProcess", json_object_new_string("100%"));
	json_object_object_add(r, "CreationTime", ecs_time_json(o->created_ms / 1000));
	json_object_object_add(r, "FinishedTime", ecs_time_json(o->finished_ms / 1000));
	progress = json_object_new_object();
	json_object_object_add(progress, "OperationStatus",
			       json_object_new_string(o->failed ? "Failed" : "Success"));
	json_object_object_add(progress, "ErrorCode", json_object_new_string(o->code));
	json_object_object_add(progress, "ErrorMsg", json_object_new_string(o->message));
	item = json_object_new_object();
	json_object_object_add(item, "Name", json_object_new_string(
		o->resource[0] == 's' ? "SnapshotId" : "DiskId"));
	json_object_object_add(item, "Value", json_object_new_string(o->resource));
	json_object_object_add(progress, "RelatedItemSet",
			       wrapped("RelatedItem", wrapped_array(item)));
	json_object_object_add(r, "OperationProgressSet",
			       wrapped("OperationProgress", wrapped_array(progress)));
	return ECS_ERR_NONE;
}
