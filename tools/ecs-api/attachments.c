// SPDX-License-Identifier: GPL-2.0
/*
 * AttachDisk, DetachDisk and their reports over a disk's set of
 * attachments (attachments.h).
 *
 * One operation at a time per disk, as ECS: the disk's status is
 * Attaching or Detaching while an instance's row is, and the report
 * settles it from the rows.  A disk without MultiAttach has one holder:
 * another instance's AttachDisk is refused with IncorrectDiskStatus,
 * unless Force=true and every holder is Stopped; then the new instance's
 * agent fences the holders (the rbd backend blocklists their Ceph
 * clients, so their writes fail) and takes the disk, and its report ends
 * their rows.  A Running holder is never fenced.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "actions.h"
#include "attachments.h"
#include "log.h"
#include "resources.h"
#include "tasks.h"

/* The backend whose stores every host of a region reaches. */
#define SHARED_BACKEND "rbd"

static int collect(const struct ecs_attachment *a, void *arg)
{
	struct disk_attachments *set = arg;

	if (set->n == ECS_MAX_ATTACHMENTS)
		return -E2BIG;
	set->a[set->n++] = *a;
	return 0;
}

int attachments_read(struct ecs_api *api, const char *disk_id,
		     struct disk_attachments *out)
{
	out->n = 0;
	return api->ops->attachment_list(api->store, disk_id, collect, out);
}

const struct ecs_attachment *attachment_of(const struct disk_attachments *set,
					   const char *instance)
{
	for (size_t k = 0; k < set->n; k++)
		if (!strcmp(set->a[k].instance, instance))
			return &set->a[k];
	return NULL;
}

bool attachment_shown(const struct ecs_attachment *a)
{
	return a->state == ATTACHMENT_IN_USE || a->state == ATTACHMENT_DETACHING;
}

int attachments_settle(struct ecs_api *api, struct ecs_disk *d)
{
	struct disk_attachments set;
	bool attaching = false, detaching = false;
	int r;

	if (d->status != DISK_AVAILABLE && d->status != DISK_ATTACHING &&
	    d->status != DISK_IN_USE && d->status != DISK_DETACHING)
		return 0;
	r = attachments_read(api, d->id, &set);
	if (r < 0)
		return r;
	for (size_t k = 0; k < set.n; k++) {
		attaching |= set.a[k].state == ATTACHMENT_ATTACHING;
		detaching |= set.a[k].state == ATTACHMENT_DETACHING;
	}
	d->status = attaching ? DISK_ATTACHING : detaching ? DISK_DETACHING :
		    set.n ? DISK_IN_USE : DISK_AVAILABLE;
	return 0;
}

static bool instance_on_shared_storage(const struct ecs_instance *i)
{
	return !strcmp(i->backend, SHARED_BACKEND);
}

bool disk_on_shared_storage(struct ecs_api *api, const struct ecs_disk *d)
{
	struct ecs_instance host;

	return api->ops->instance_get(api->store, d->host, &host) == 0 &&
	       instance_on_shared_storage(&host);
}

struct worker_search {
	struct api_call *call;
	const struct ecs_disk *disk;
	char *out;
	bool found;
};

static int consider_worker(const struct ecs_instance *i, void *arg)
{
	struct worker_search *w = arg;

	if (w->found || !instance_on_shared_storage(i) ||
	    strcmp(i->region, w->disk->region) ||
	    instance_status(w->call->api, i) != INSTANCE_RUNNING)
		return 0;
	snprintf(w->out, ECS_ID_MAX, "%s", i->id);
	w->found = true;
	return 0;
}

void disk_worker(struct api_call *call, const struct ecs_disk *d,
		 char out[ECS_ID_MAX])
{
	struct ecs_api *api = call->api;
	struct worker_search w = { call, d, out, false };
	struct ecs_instance host;

	snprintf(out, ECS_ID_MAX, "%s", d->host);
	if (api->ops->instance_get(api->store, d->host, &host) < 0 ||
	    !instance_on_shared_storage(&host) ||
	    instance_status(api, &host) == INSTANCE_RUNNING)
		return;
	api->ops->instance_list(api->store, d->account, consider_worker, &w);
}

/* The refusal of a disk in the wrong state: its id and status, no more. */
static enum ecs_err busy(struct api_call *call, const struct ecs_disk *d)
{
	return api_fail(call, ECS_ERR_INCORRECT_DISK_STATUS,
			"The disk %s is %s.", d->id, disk_status_name(d->status));
}

/* Whether @i may hold @d at all, wherever it is now. */
static enum ecs_err reachable(struct api_call *call, const struct ecs_disk *d,
			      const struct ecs_instance *i)
{
	if (!disk_on_shared_storage(call->api, d)) {
		if (strcmp(d->host, i->id))
			return api_fail(call, ECS_ERR_OPERATION_DENIED,
					"The disk %s is a local disk of instance %s and attaches there only.",
					d->id, d->host);
		return ECS_ERR_NONE;
	}
	if (!instance_on_shared_storage(i) || strcmp(i->region, d->region))
		return api_fail(call, ECS_ERR_OPERATION_DENIED,
				"The disk %s is on the shared storage of %s, which instance %s does not use.",
				d->id, d->region, i->id);
	return ECS_ERR_NONE;
}

/* Force: every holder must be Stopped (its agent quiet), never Running. */
static enum ecs_err holders_stopped(struct api_call *call, const struct ecs_disk *d,
				    const struct disk_attachments *set)
{
	struct ecs_api *api = call->api;
	struct ecs_instance h;

	for (size_t k = 0; k < set->n; k++) {
		if (api->ops->instance_get(api->store, set->a[k].instance, &h) == 0 &&
		    instance_status(api, &h) == INSTANCE_RUNNING)
			return busy(call, d);
	}
	return ECS_ERR_NONE;
}

/*
 * A disk of one holder goes to @i only with Force=true, and only from
 * holders that are all Stopped; @i's agent fences them (t->force).
 */
static enum ecs_err take_over(struct api_call *call, const struct ecs_disk *d,
			      const struct disk_attachments *set,
			      const struct ecs_instance *i, struct agent_args *t)
{
	enum ecs_err e;

	if (d->multi_attach || !call->args.force || !set->n)
		return busy(call, d);
	e = holders_stopped(call, d, set);
	if (e)
		return e;
	t->force = true;
	log_info("RequestId %s: %s taken from its Stopped holder %s by %s (Force)",
		 call->request_id, d->id, set->a[0].instance, i->id);
	return ECS_ERR_NONE;
}

enum ecs_err act_attach_disk(struct api_call *call)
{
	struct ecs_api *api = call->api;
	struct ecs_attachment row = { .state = ATTACHMENT_ATTACHING };
	struct disk_attachments set;
	struct agent_args t = { 0 };
	struct ecs_instance i;
	struct ecs_disk d;
	enum ecs_err e;

	e = find_disk(call, call->args.disk_id, &d);
	if (!e)
		e = find_instance(call, call->args.instance_id, &i);
	if (e)
		return e;
	if (instance_status(api, &i) != INSTANCE_RUNNING)
		return api_fail(call, ECS_ERR_INCORRECT_INSTANCE_STATUS,
				"The instance %s is Stopped: its agent is not in touch.",
				i.id);
	e = reachable(call, &d, &i);
	if (e)
		return e;
	if (attachments_read(api, d.id, &set) < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The attachments cannot be read.");
	if (attachment_of(&set, i.id))
		return busy(call, &d);
	switch (d.status) {
	case DISK_AVAILABLE:
		break;
	case DISK_IN_USE:
		if (d.multi_attach) {
			if (set.n >= ECS_MAX_ATTACHMENTS)
				return api_fail(call, ECS_ERR_OPERATION_DENIED,
						"The disk %s is attached to %d instances, the most ECS allows.",
						d.id, ECS_MAX_ATTACHMENTS);
			break;
		}
		e = take_over(call, &d, &set, &i, &t);
		if (e)
			return e;
		break;
	case DISK_ATTACHING:
	case DISK_DETACHING:
		e = take_over(call, &d, &set, &i, &t);
		if (e)
			return e;
		break;
	default:
		return busy(call, &d);
	}
	snprintf(row.disk_id, sizeof(row.disk_id), "%s", d.id);
	snprintf(row.instance, sizeof(row.instance), "%s", i.id);
	d.status = DISK_ATTACHING;
	if (api->ops->attachment_put(api->store, &row) < 0 ||
	    api->ops->disk_put(api->store, &d) < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The disk could not be recorded.");
	t.disk_id = d.id;
	return task_queue(call, i.id, AGENT_OP_ATTACH_DISK, d.region, d.id, &t);
}

enum ecs_err act_detach_disk(struct api_call *call)
{
	struct ecs_api *api = call->api;
	struct disk_attachments set;
	struct agent_args t = { 0 };
	struct ecs_attachment row;
	const struct ecs_attachment *mine;
	struct ecs_disk d;
	enum ecs_err e;

	e = find_disk(call, call->args.disk_id, &d);
	if (e)
		return e;
	if (attachments_read(api, d.id, &set) < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The attachments cannot be read.");
	if (d.status == DISK_AVAILABLE || !set.n)
		return api_fail(call, ECS_ERR_DISK_ALREADY_DETACHED,
				"The disk %s is not attached.", d.id);
	if (d.status != DISK_IN_USE)
		return busy(call, &d);
	mine = attachment_of(&set, call->args.instance_id);
	if (!mine)
		return api_fail(call, ECS_ERR_DEPENDENCY_VIOLATION,
				"The disk %s is not attached to %s.", d.id,
				call->args.instance_id);
	row = *mine;
	row.state = ATTACHMENT_DETACHING;
	d.status = DISK_DETACHING;
	if (api->ops->attachment_put(api->store, &row) < 0 ||
	    api->ops->disk_put(api->store, &d) < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The disk could not be recorded.");
	t.disk_id = d.id;
	return task_queue(call, row.instance, AGENT_OP_DETACH_DISK, d.region, d.id, &t);
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) &&
	       json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

/* Attached: the instance's row is In_use; a disk of one holder has no other. */
static int attached(struct api_call *call, const struct ecs_task *t,
		    struct json_object *result, struct ecs_disk *d)
{
	const struct ecs_store_ops *ops = call->api->ops;
	struct ecs_attachment row = { .state = ATTACHMENT_IN_USE,
				      .attached_at = time(NULL) };
	struct disk_attachments set;
	int r;

	snprintf(row.disk_id, sizeof(row.disk_id), "%s", d->id);
	snprintf(row.instance, sizeof(row.instance), "%s", t->instance);
	snprintf(row.device, sizeof(row.device), "%s",
		 str(result, "Device") ? str(result, "Device") : "");
	r = ops->attachment_put(call->api->store, &row);
	if (r < 0 || d->multi_attach)
		return r;
	r = attachments_read(call->api, d->id, &set);
	for (size_t k = 0; r == 0 && k < set.n; k++) {
		if (!strcmp(set.a[k].instance, t->instance))
			continue;
		log_info("RequestId %s: %s is %s's now: %s's attachment ends (fenced)",
			 t->request_id, d->id, t->instance, set.a[k].instance);
		r = ops->attachment_delete(call->api->store, d->id, set.a[k].instance);
	}
	return r;
}

int attachments_apply_report(struct api_call *call, const struct ecs_task *t,
			     bool ok, const char *code,
			     struct json_object *result, struct ecs_disk *d)
{
	const struct ecs_store_ops *ops = call->api->ops;
	struct ecs_store *st = call->api->store;
	struct disk_attachments set;
	const struct ecs_attachment *mine;
	struct ecs_attachment row;
	int r;

	r = attachments_read(call->api, d->id, &set);
	if (r < 0)
		return r;
	mine = attachment_of(&set, t->instance);
	if (t->op == AGENT_OP_ATTACH_DISK) {
		if (ok)
			r = attached(call, t, result, d);
		else if (mine && mine->state == ATTACHMENT_ATTACHING)
			r = ops->attachment_delete(st, d->id, t->instance);
	} else {
		/* Detached already: what a detach sent twice finds. */
		if (ok || !strcmp(code, ecs_error_get(ECS_ERR_DISK_ALREADY_DETACHED)->code)) {
			r = ops->attachment_delete(st, d->id, t->instance);
		} else if (mine) {
			row = *mine;
			row.state = ATTACHMENT_IN_USE;
			r = ops->attachment_put(st, &row);
		}
	}
	if (r == 0)
		r = attachments_settle(call->api, d);
	return r;
}
