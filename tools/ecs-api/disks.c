// SPDX-License-Identifier: GPL-2.0
/*
 * The disk actions: checks that ECS makes at once, then the new state and
 * the agent's task in one transaction; the agent's report finishes it
 * (tasks.c).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "actions.h"
#include "attachments.h"
#include "disk_category.h"
#include "kms_api.h"
#include "render.h"
#include "resources.h"
#include "tasks.h"

#define DEFAULT_CATEGORY "cloud_efficiency"
#define GIB (1ull << 30)

struct placement {
	struct api_call *call;
	const char *region;
	struct ecs_instance chosen;
	bool found;
};

/* The first Running instance of the account in the region. */
static int consider(const struct ecs_instance *i, void *arg)
{
	struct placement *p = arg;

	if (p->found || instance_status(p->call->api, i) != INSTANCE_RUNNING ||
	    (i->region[0] && strcmp(i->region, p->region)))
		return 0;
	p->chosen = *i;
	p->found = true;
	return 0;
}

static enum ecs_err place(struct api_call *call, const char *region,
			  char host[ECS_ID_MAX])
{
	struct ecs_api *api = call->api;
	struct placement p = { .call = call, .region = region };
	struct ecs_instance i;
	enum ecs_err e;

	if (call->args.instance_id) {
		e = find_instance(call, call->args.instance_id, &i);
		if (e)
			return e;
		snprintf(host, ECS_ID_MAX, "%s", i.id);
		return ECS_ERR_NONE;
	}
	api->ops->instance_list(api->store, call->account, consider, &p);
	if (!p.found)
		return api_fail(call, ECS_ERR_INSUFFICIENT_CAPACITY,
				"No running instance of the account in %s can hold the disk.",
				region);
	snprintf(host, ECS_ID_MAX, "%s", p.chosen.id);
	return ECS_ERR_NONE;
}

/* Encrypted, KMSKeyId and encryption by default, as ECS combines them. */
static enum ecs_err choose_encryption(struct api_call *call, struct ecs_disk *d)
{
	struct ecs_api *api = call->api;
	const struct api_args *a = &call->args;
	struct ecs_default_encryption def;

	if (a->kms_key_id && !a->encrypted)
		return api_fail(call, ECS_ERR_ENCRYPTED_ILLEGAL,
				"KMSKeyId is given but Encrypted is not true.");
	if (api->ops->default_encryption_get(api->store, call->account,
					     d->region, &def) < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE,
				"The settings cannot be read.");
	d->encrypted = a->encrypted;
	if (def.enabled) {
		if (api_given(call, "Encrypted") && !a->encrypted)
			return api_fail(call, ECS_ERR_NOT_MATCH_DEFAULT_ENCRYPTION,
					"Encryption by default is enabled in %s: the disk must be encrypted.",
					d->region);
		d->encrypted = true;
	}
	if (d->encrypted)
		snprintf(d->kms_key_id, sizeof(d->kms_key_id), "%s",
			 a->kms_key_id ? a->kms_key_id :
			 def.kms_key_id[0] ? def.kms_key_id : KMS_SERVICE_KEY_ALIAS);
	return ECS_ERR_NONE;
}

static enum ecs_err new_disk_checks(struct api_call *call, struct ecs_disk *d,
				    struct agent_args *t)
{
	const struct api_args *a = &call->args;
	const struct disk_category *cat;
	struct ecs_snapshot s;
	enum ecs_err e;

	if (a->snapshot_id) {
		e = find_snapshot(call, a->snapshot_id, &s);
		if (e)
			return e;
		if (s.status != SNAPSHOT_ACCOMPLISHED)
			return api_fail(call, ECS_ERR_SNAPSHOT_NOT_READY,
					"The snapshot %s is %s.", s.id,
					snapshot_status_name(s.status));
		if (strcmp(s.region, d->region))
			return api_fail(call, ECS_ERR_SNAPSHOT_NOT_FOUND,
					"The snapshot %s is not in %s.", s.id, d->region);
		if (a->size && a->size < s.source_size_gib)
			return api_fail(call, ECS_ERR_DISK_SIZE_TOO_SMALL,
					"The disk must be at least the snapshot's %lld GiB.",
					(long long)s.source_size_gib);
		/* A disk of a snapshot continues its key. */
		snprintf(d->host, sizeof(d->host), "%s", s.host);
		snprintf(d->snapshot_id, sizeof(d->snapshot_id), "%s", s.id);
		snprintf(d->kms_key_id, sizeof(d->kms_key_id), "%s", s.kms_key_id);
		d->encrypted = s.encrypted;
		d->size_gib = a->size ? a->size : s.source_size_gib;
		t->snapshot_id = s.id;
	} else {
		if (!api_given(call, "Size"))
			return api_fail(call, ECS_ERR_MISSING_PARAMETER,
					"The input parameter \"Size\" that is mandatory for processing this request is not supplied.");
		if (a->size < 1)
			return api_fail(call, ECS_ERR_DISK_SIZE_TOO_SMALL,
					"A disk is at least 1 GiB.");
		d->size_gib = a->size;
		e = choose_encryption(call, d);
		if (e)
			return e;
	}
	snprintf(d->category, sizeof(d->category), "%s",
		 a->category ? a->category : DEFAULT_CATEGORY);
	cat = disk_category_find(d->category);
	if (!cat)
		return api_fail(call, ECS_ERR_CATEGORY_NOT_SUPPORTED,
				"The specified DiskCategory %s is not supported.",
				d->category);
	if (d->encrypted && !cat->encryptable)
		return api_fail(call, ECS_ERR_ENCRYPTED_NOT_SUPPORTED,
				"Disks of category %s cannot be encrypted.", d->category);
	if (a->multi_attach && !cat->shared)
		return api_fail(call, ECS_ERR_CATEGORY_NOT_SUPPORTED,
				"MultiAttach needs a shared category, not %s.", d->category);
	t->category = d->category;
	t->size = (uint64_t)d->size_gib * GIB;
	t->encrypted = d->encrypted;
	t->unencrypted = !d->encrypted;
	t->kms_key_id = d->encrypted && !a->snapshot_id ? d->kms_key_id : NULL;
	return ECS_ERR_NONE;
}

enum ecs_err act_create_disk(struct api_call *call)
{
	struct ecs_api *api = call->api;
	const struct api_args *a = &call->args;
	struct ecs_disk d = { .status = DISK_CREATING, .created = time(NULL) };
	struct agent_args t = { 0 };
	char made[ECS_ID_MAX];
	enum ecs_err e;

	e = token_check(call, made);
	if (e)
		return e;
	call->reply = json_object_new_object();
	if (made[0]) {
		json_object_object_add(call->reply, "DiskId", json_object_new_string(made));
		return ECS_ERR_NONE;
	}
	snprintf(d.account, sizeof(d.account), "%s", call->account);
	snprintf(d.region, sizeof(d.region), "%s", a->region_id);
	e = new_disk_checks(call, &d, &t);
	if (!e && !d.host[0])
		e = place(call, d.region, d.host);
	if (e)
		return e;
	snprintf(d.zone, sizeof(d.zone), "%s", a->zone_id ? a->zone_id : "");
	snprintf(d.name, sizeof(d.name), "%s", a->name ? a->name : "");
	snprintf(d.description, sizeof(d.description), "%s",
		 a->description ? a->description : "");
	d.multi_attach = a->multi_attach;
	if (ecs_new_id("d", d.id, sizeof(d.id)) < 0)
		return api_fail(call, ECS_ERR_INTERNAL, "No randomness for an id.");
	t.new_id = d.id;
	if (api->ops->disk_put(api->store, &d) < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE, "The disk could not be recorded.");
	e = task_queue(call, d.host, AGENT_OP_CREATE_DISK, d.region, d.id, &t);
	if (!e)
		e = token_record(call, d.id);
	if (!e) {
		json_object_object_add(call->reply, "DiskId", json_object_new_string(d.id));
		json_object_object_add(call->reply, "OrderId", json_object_new_string(""));
	}
	return e;
}

static int disk_matches(const struct ecs_disk *d, void *arg)
{
	struct listing *f = arg;
	const struct api_args *a = &f->call->args;
	struct disk_attachments set;
	int r;

	if (strcmp(d->region, a->region_id))
		return 0;
	r = attachments_read(f->call->api, d->id, &set);
	if (r < 0)
		return r;
	if ((a->n_disk_ids && !id_listed(a->disk_ids, a->n_disk_ids, d->id)) ||
	    (a->instance_id && !attachment_of(&set, a->instance_id)) ||
	    (a->status && strcmp(disk_status_name(d->status), a->status)) ||
	    (api_given(f->call, "Encrypted") && d->encrypted != a->encrypted) ||
	    (a->kms_key_id && strcmp(d->kms_key_id, a->kms_key_id)) ||
	    (a->category && strcmp(d->category, a->category)) ||
	    (a->zone_id && strcmp(d->zone, a->zone_id)) ||
	    (a->snapshot_id && strcmp(d->snapshot_id, a->snapshot_id)))
		return 0;
	json_object_array_add(f->items, render_disk(d, &set));
	return 0;
}

enum ecs_err act_describe_disks(struct api_call *call)
{
	struct ecs_api *api = call->api;
	struct listing f = { call, json_object_new_array() };

	call->reply = json_object_new_object();
	if (api->ops->disk_list(api->store, call->account, disk_matches, &f) < 0) {
		json_object_put(f.items);
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE, "The disks cannot be listed.");
	}
	return render_page(call, f.items, "Disks", "Disk");
}

/* A disk with work under way takes no other. */
static enum ecs_err busy(struct api_call *call, const struct ecs_disk *d)
{
	return api_fail(call, ECS_ERR_INCORRECT_DISK_STATUS,
			"The disk %s is %s.", d->id, disk_status_name(d->status));
}

/* Work on the disk's store, by its host's agent (or another: disk_worker()). */
static enum ecs_err change(struct api_call *call, struct ecs_disk *d,
			   enum disk_status status, enum agent_op_id op,
			   struct agent_args *t)
{
	struct ecs_api *api = call->api;
	char instance[ECS_ID_MAX];

	disk_worker(call, d, instance);
	d->status = status;
	if (api->ops->disk_put(api->store, d) < 0)
		return api_fail(call, ECS_ERR_SERVICE_UNAVAILABLE, "The disk could not be recorded.");
	t->disk_id = d->id;
	return task_queue(call, instance, op, d->region, d->id, t);
}

/* AttachDisk and DetachDisk: attachments.c. */

enum ecs_err act_delete_disk(struct api_call *call)
{
	struct ecs_disk d;
	struct agent_args t = { 0 };

	/* ECS: deleting what does not exist succeeds. */
	if (find_disk(call, call->args.disk_id, &d)) {
		call->message[0] = '\0';
		return ECS_ERR_NONE;
	}
	if (d.status == DISK_IN_USE || d.status == DISK_ATTACHING ||
	    d.status == DISK_DETACHING)
		return api_fail(call, ECS_ERR_DISK_STILL_ATTACHED,
				"The disk %s is %s.", d.id, disk_status_name(d.status));
	if (d.status == DISK_DELETING)
		return ECS_ERR_NONE;
	if (d.status != DISK_AVAILABLE)
		return busy(call, &d);
	return change(call, &d, DISK_DELETING, AGENT_OP_DELETE_DISK, &t);
}

enum ecs_err act_reset_disk(struct api_call *call)
{
	struct ecs_disk d;
	struct ecs_snapshot s;
	struct agent_args t = { 0 };
	enum ecs_err e;

	e = find_disk(call, call->args.disk_id, &d);
	if (!e)
		e = find_snapshot(call, call->args.snapshot_id, &s);
	if (e)
		return e;
	if (s.status != SNAPSHOT_ACCOMPLISHED)
		return api_fail(call, ECS_ERR_SNAPSHOT_NOT_READY,
				"The snapshot %s is %s.", s.id, snapshot_status_name(s.status));
	if (strcmp(s.source_disk, d.id))
		return api_fail(call, ECS_ERR_OPERATION_DENIED,
				"The snapshot %s was not taken of disk %s.", s.id, d.id);
	if (d.status != DISK_AVAILABLE)
		return busy(call, &d);
	t.snapshot_id = s.id;
	return change(call, &d, DISK_RESETTING, AGENT_OP_RESET_DISK, &t);
}

enum ecs_err act_reinit_disk(struct api_call *call)
{
	struct ecs_disk d;
	struct agent_args t = { 0 };
	enum ecs_err e;

	e = find_disk(call, call->args.disk_id, &d);
	if (e)
		return e;
	if (d.status != DISK_AVAILABLE)
		return busy(call, &d);
	return change(call, &d, DISK_REINITING, AGENT_OP_REINIT_DISK, &t);
}
