// SPDX-License-Identifier: GPL-2.0
/* Tasks for agents and their results (tasks.h). */
#include <stdio.h>
#include <errno.h>
#include <string.h>

#include "kms_usage.h"
#include "attachments.h"
#include "log.h"
#include "tasks.h"

enum ecs_err task_queue(struct api_call *call, const char *instance,
			enum agent_op_id op, const char *region,
			const char *resource, const struct agent_args *args)
{
	struct ecs_api *api = call->api;
	struct json_object *req = agent_request_encode(op, region,
						       call->request_id, args);
	struct ecs_task t = { .op = op, .state = TASK_QUEUED,
			      .created_ms = now_ms() };
	int r;

	if (!req)
		return api_fail(call, ECS_ERR_INTERNAL, "Cannot encode the task.");
	snprintf(t.instance, sizeof(t.instance), "%s", instance);
	snprintf(t.request_id, sizeof(t.request_id), "%s", call->request_id);
	snprintf(t.resource, sizeof(t.resource), "%s", resource);
	t.request = (char *)json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	r = api->ops->task_add(api->store, &t);
	json_object_put(req);
	if (r < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The task could not be recorded.");
	snprintf(call->wake, sizeof(call->wake), "%s", instance);
	log_info("RequestId %s: task %lld %s for %s on %s", call->request_id,
		 (long long)t.id, agent_op_get(op)->name, resource, instance);
	return ECS_ERR_NONE;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) &&
	       json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

static int64_t num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

#define COPY(dst, src) snprintf(dst, sizeof(dst), "%s", (src) ? (src) : "")

/* A disk as the agent describes it, into the server's record. */
static void disk_from_agent(struct ecs_disk *d, struct json_object *o)
{
	if (str(o, "Category") && *str(o, "Category"))
		COPY(d->category, str(o, "Category"));
	if (num(o, "Size"))
		d->size_gib = num(o, "Size");
	if (str(o, "KMSKeyId"))
		COPY(d->kms_key_id, str(o, "KMSKeyId"));
	if (json_object_object_get_ex(o, "Encrypted", NULL)) {
		struct json_object *v;

		json_object_object_get_ex(o, "Encrypted", &v);
		d->encrypted = json_object_get_boolean(v);
	}
}

static void snapshot_from_agent(struct ecs_snapshot *s, struct json_object *o)
{
	struct json_object *v;

	if (str(o, "Category") && *str(o, "Category"))
		COPY(s->category, str(o, "Category"));
	if (num(o, "SourceDiskSize"))
		s->source_size_gib = num(o, "SourceDiskSize");
	if (str(o, "KMSKeyId"))
		COPY(s->kms_key_id, str(o, "KMSKeyId"));
	if (json_object_object_get_ex(o, "Encrypted", &v))
		s->encrypted = json_object_get_boolean(v);
}

/* The disk's state after @op: done (@ok) or refused. */
static int apply_disk(struct api_call *call, const struct ecs_task *t, bool ok,
		      const char *code, struct json_object *result)
{
	const struct ecs_store_ops *ops = call->api->ops;
	struct ecs_store *st = call->api->store;
	struct ecs_disk d;

	if (ops->disk_get(st, t->resource, &d) < 0)
		return 0;	/* deleted meanwhile */
	switch (t->op) {
	case AGENT_OP_CREATE_DISK:
		if (!ok) {
			log_warn("RequestId %s: disk %s was not created: %s",
				 t->request_id, d.id, code);
			return ops->disk_delete(st, d.id);
		}
		disk_from_agent(&d, result);
		d.status = DISK_AVAILABLE;
		break;
	case AGENT_OP_ATTACH_DISK:
	case AGENT_OP_DETACH_DISK:
		if (attachments_apply_report(call, t, ok, code, result, &d) < 0)
			return -EIO;
		break;
	case AGENT_OP_DELETE_DISK:
		if (ok || !strcmp(code, ecs_error_get(ECS_ERR_DISK_NOT_FOUND)->code))
			return ops->disk_delete(st, d.id);
		d.status = DISK_AVAILABLE;
		break;
	case AGENT_OP_RESET_DISK:
	case AGENT_OP_REINIT_DISK:
		d.status = DISK_AVAILABLE;
		if (attachments_settle(call->api, &d) < 0)
			return -EIO;
		break;
	default:
		return 0;
	}
	return ops->disk_put(st, &d);
}

static int apply_snapshot(struct api_call *call, const struct ecs_task *t,
			  bool ok, const char *code, struct json_object *result)
{
	const struct ecs_store_ops *ops = call->api->ops;
	struct ecs_store *st = call->api->store;
	struct ecs_snapshot s;

	if (ops->snapshot_get(st, t->resource, &s) < 0)
		return 0;
	switch (t->op) {
	case AGENT_OP_CREATE_SNAPSHOT:
	case AGENT_OP_COPY_SNAPSHOT:
		if (ok) {
			snapshot_from_agent(&s, result);
			s.status = SNAPSHOT_ACCOMPLISHED;
			s.progress = 100;
		} else {
			log_warn("RequestId %s: snapshot %s failed: %s",
				 t->request_id, s.id, code);
			s.status = SNAPSHOT_FAILED;
		}
		break;
	case AGENT_OP_DELETE_SNAPSHOT:
		if (ok || !strcmp(code, ecs_error_get(ECS_ERR_SNAPSHOT_NOT_FOUND)->code))
			return ops->snapshot_delete(st, s.id);
		s.status = SNAPSHOT_ACCOMPLISHED;
		break;
	default:
		return 0;
	}
	return ops->snapshot_put(st, &s);
}

/* The account and region of the task's disk or snapshot, if it still is. */
static bool resource_owner(struct api_call *call, const struct ecs_task *t,
			   char account[ECS_ID_MAX], char region[ECS_ID_MAX])
{
	const struct ecs_store_ops *ops = call->api->ops;
	struct ecs_store *st = call->api->store;
	struct ecs_snapshot s;
	struct ecs_disk d;

	if (ops->disk_get(st, t->resource, &d) == 0) {
		snprintf(account, ECS_ID_MAX, "%s", d.account);
		snprintf(region, ECS_ID_MAX, "%s", d.region);
		return true;
	}
	if (ops->snapshot_get(st, t->resource, &s) == 0) {
		snprintf(account, ECS_ID_MAX, "%s", s.account);
		snprintf(region, ECS_ID_MAX, "%s", s.region);
		return true;
	}
	return false;
}

enum ecs_err task_apply_report(struct api_call *call, const struct ecs_task *t,
			       struct json_object *reply)
{
	struct json_object *okv, *result = NULL;
	const char *code = str(reply, "code");
	char account[ECS_ID_MAX], region[ECS_ID_MAX];
	bool ok, owned;
	int r;

	ok = json_object_object_get_ex(reply, "ok", &okv) &&
	     json_object_get_boolean(okv);
	json_object_object_get_ex(reply, "result", &result);
	log_info("RequestId %s: task %lld %s on %s: %s%s%s (%lld ms after it was queued)",
		 t->request_id, (long long)t->id,
		 agent_op_get(t->op) ? agent_op_get(t->op)->name : "?",
		 t->instance, ok ? "done" : code ? code : "failed",
		 ok ? "" : ": ", ok ? "" : str(reply, "error") ? str(reply, "error") : "",
		 (long long)(now_ms() - t->created_ms));
	/* Whose it is, before the report may delete the resource. */
	owned = resource_owner(call, t, account, region);
	switch (t->op) {
	case AGENT_OP_CREATE_SNAPSHOT:
	case AGENT_OP_COPY_SNAPSHOT:
	case AGENT_OP_DELETE_SNAPSHOT:
		r = apply_snapshot(call, t, ok, code ? code : "", result);
		break;
	case AGENT_OP_DESCRIBE_KMS_USAGE:
		if (ok)
			kms_usage_record(call->api->usage, t->instance, result);
		r = 0;
		break;
	default:
		r = apply_disk(call, t, ok, code ? code : "", result);
		break;
	}
	if (r == 0 && owned)
		r = task_outcome_record(call, t, account, region, ok, code,
					str(reply, "error"));
	if (r == 0)
		r = call->api->ops->task_set_state(call->api->store, t->id, TASK_DONE);
	return r < 0 ? api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The report could not be recorded.") : ECS_ERR_NONE;
}
