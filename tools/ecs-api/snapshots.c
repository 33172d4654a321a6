// SPDX-License-Identifier: GPL-2.0
/* The snapshot actions (see disks.c for the pattern). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "actions.h"
#include "render.h"
#include "resources.h"
#include "tasks.h"

static enum ecs_err answer_made(struct api_call *call, const char *made)
{
	json_object_object_add(call->reply, "SnapshotId", json_object_new_string(made));
	return ECS_ERR_NONE;
}

static enum ecs_err start(struct api_call *call, struct ecs_snapshot *s,
			  enum agent_op_id op, const char *task_region,
			  struct agent_args *t)
{
	struct ecs_api *api = call->api;
	enum ecs_err e;

	if (ecs_new_id("s", s->id, sizeof(s->id)) < 0)
		return api_fail(call, ECS_ERR_INTERNAL, "No randomness for an id.");
	s->status = SNAPSHOT_PROGRESSING;
	s->created = time(NULL);
	snprintf(s->account, sizeof(s->account), "%s", call->account);
	snprintf(s->name, sizeof(s->name), "%s", call->args.name ? call->args.name : "");
	snprintf(s->description, sizeof(s->description), "%s",
		 call->args.description ? call->args.description : "");
	if (api->ops->snapshot_put(api->store, s) < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The snapshot could not be recorded.");
	t->new_id = s->id;
	e = task_queue(call, s->host, op, task_region, s->id, t);
	if (!e)
		e = token_record(call, s->id);
	return e ? e : answer_made(call, s->id);
}

enum ecs_err act_create_snapshot(struct api_call *call)
{
	struct ecs_snapshot s = { 0 };
	struct agent_args t = { 0 };
	struct ecs_disk d;
	char made[ECS_ID_MAX];
	enum ecs_err e;

	e = token_check(call, made);
	if (e)
		return e;
	call->reply = json_object_new_object();
	if (made[0])
		return answer_made(call, made);
	e = find_disk(call, call->args.disk_id, &d);
	if (e)
		return e;
	if (d.status != DISK_AVAILABLE && d.status != DISK_IN_USE)
		return api_fail(call, ECS_ERR_INCORRECT_DISK_STATUS,
				"The disk %s is %s.", d.id, disk_status_name(d.status));
	snprintf(s.region, sizeof(s.region), "%s", d.region);
	snprintf(s.host, sizeof(s.host), "%s", d.host);
	snprintf(s.source_disk, sizeof(s.source_disk), "%s", d.id);
	snprintf(s.category, sizeof(s.category), "%s", d.category);
	snprintf(s.kms_key_id, sizeof(s.kms_key_id), "%s", d.kms_key_id);
	s.encrypted = d.encrypted;
	s.source_size_gib = d.size_gib;
	t.disk_id = d.id;
	return start(call, &s, AGENT_OP_CREATE_SNAPSHOT, d.region, &t);
}

enum ecs_err act_copy_snapshot(struct api_call *call)
{
	const struct api_args *a = &call->args;
	struct ecs_snapshot src, s = { 0 };
	struct agent_args t = { 0 };
	char made[ECS_ID_MAX];
	enum ecs_err e;

	e = token_check(call, made);
	if (e)
		return e;
	call->reply = json_object_new_object();
	if (made[0])
		return answer_made(call, made);
	if (!api_region_known(call->api, a->destination_region))
		return api_fail(call, ECS_ERR_REGION_NOT_FOUND,
				"The DestinationRegionId %s does not exist.",
				a->destination_region);
	if (a->kms_key_id && !a->encrypted)
		return api_fail(call, ECS_ERR_ENCRYPTED_ILLEGAL,
				"KMSKeyId is given but Encrypted is not true.");
	e = find_snapshot(call, a->snapshot_id, &src);
	if (e)
		return e;
	if (strcmp(src.region, a->region_id))
		return api_fail(call, ECS_ERR_SNAPSHOT_NOT_FOUND,
				"The snapshot %s is not in %s.", src.id, a->region_id);
	if (src.status != SNAPSHOT_ACCOMPLISHED)
		return api_fail(call, ECS_ERR_SNAPSHOT_NOT_READY,
				"The snapshot %s is %s.", src.id,
				snapshot_status_name(src.status));
	s = src;
	snprintf(s.region, sizeof(s.region), "%s", a->destination_region);
	snprintf(s.source_disk, sizeof(s.source_disk), "%s", src.source_disk);
	if (a->kms_key_id)
		snprintf(s.kms_key_id, sizeof(s.kms_key_id), "%s", a->kms_key_id);
	s.encrypted = src.encrypted || a->encrypted;
	s.progress = 0;
	t.snapshot_id = src.id;
	t.kms_key_id = a->kms_key_id;
	t.destination_region = a->destination_region;
	t.encrypted = a->encrypted;
	return start(call, &s, AGENT_OP_COPY_SNAPSHOT, src.region, &t);
}

static int snapshot_matches(const struct ecs_snapshot *s, void *arg)
{
	struct listing *f = arg;
	const struct api_args *a = &f->call->args;

	if (strcmp(s->region, a->region_id) ||
	    (a->n_snapshot_ids && !id_listed(a->snapshot_ids, a->n_snapshot_ids, s->id)) ||
	    (a->disk_id && strcmp(s->source_disk, a->disk_id)) ||
	    (a->status && strcmp(a->status, "all") &&
	     strcmp(snapshot_status_name(s->status), a->status)) ||
	    (api_given(f->call, "Encrypted") && s->encrypted != a->encrypted) ||
	    (a->kms_key_id && strcmp(s->kms_key_id, a->kms_key_id)))
		return 0;
	json_object_array_add(f->items, render_snapshot(s));
	return 0;
}

enum ecs_err act_describe_snapshots(struct api_call *call)
{
	struct ecs_api *api = call->api;
	struct listing f = { call, json_object_new_array() };

	call->reply = json_object_new_object();
	if (api->ops->snapshot_list(api->store, call->account, snapshot_matches, &f) < 0) {
		json_object_put(f.items);
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The snapshots cannot be listed.");
	}
	return render_page(call, f.items, "Snapshots", "Snapshot");
}

enum ecs_err act_delete_snapshot(struct api_call *call)
{
	struct ecs_api *api = call->api;
	struct agent_args t = { 0 };
	struct ecs_snapshot s;
	int made;

	if (find_snapshot(call, call->args.snapshot_id, &s)) {
		call->message[0] = '\0';
		return ECS_ERR_NONE;	/* ECS: gone already is success */
	}
	if (s.status == SNAPSHOT_DELETING)
		return ECS_ERR_NONE;
	if (s.status == SNAPSHOT_PROGRESSING)
		return api_fail(call, ECS_ERR_SNAPSHOT_NOT_READY,
				"The snapshot %s is still progressing.", s.id);
	made = api->ops->disk_count_from(api->store, s.id);
	if (made > 0 && !call->args.force)
		return api_fail(call, ECS_ERR_SNAPSHOT_CREATED_DISK,
				"The snapshot %s has made %d disk(s): delete it with Force.",
				s.id, made);
	s.status = SNAPSHOT_DELETING;
	if (api->ops->snapshot_put(api->store, &s) < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The snapshot could not be recorded.");
	t.snapshot_id = s.id;
	t.force = call->args.force;
	return task_queue(call, s.host, AGENT_OP_DELETE_SNAPSHOT, s.region, s.id, &t);
}
