// SPDX-License-Identifier: GPL-2.0
/* ECS's JSON of disks, snapshots and instances; paging (render.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attachments.h"
#include "render.h"

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

/* ECS wraps each list in an object: Attachments.Attachment[]. */
static struct json_object *wrapped(const char *inner, struct json_object *arr)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, inner, arr);
	return o;
}

/*
 * ECS: Attachments lists every instance that has the disk; InstanceId,
 * Device and AttachedTime above it are the holder's for a disk of one
 * holder, empty for a MultiAttach disk.
 */
struct json_object *render_disk(const struct ecs_disk *d,
				const struct disk_attachments *set)
{
	struct json_object *o = json_object_new_object();
	struct json_object *att = json_object_new_array();
	const struct ecs_attachment *holder = NULL;

	for (size_t k = 0; k < set->n; k++) {
		const struct ecs_attachment *x = &set->a[k];
		struct json_object *a;

		if (!attachment_shown(x))
			continue;
		if (!holder && !d->multi_attach)
			holder = x;
		a = json_object_new_object();
		add_str(a, "InstanceId", x->instance);
		add_str(a, "Device", x->device);
		json_object_object_add(a, "AttachedTime", ecs_time_json(x->attached_at));
		json_object_array_add(att, a);
	}
	add_str(o, "DiskId", d->id);
	add_str(o, "RegionId", d->region);
	add_str(o, "ZoneId", d->zone);
	add_str(o, "DiskName", d->name);
	add_str(o, "Description", d->description);
	add_str(o, "Type", "data");
	add_str(o, "Category", d->category);
	json_object_object_add(o, "Size", json_object_new_int64(d->size_gib));
	json_object_object_add(o, "Encrypted", json_object_new_boolean(d->encrypted));
	add_str(o, "KMSKeyId", d->kms_key_id);
	add_str(o, "SourceSnapshotId", d->snapshot_id);
	add_str(o, "Status", disk_status_name(d->status));
	add_str(o, "InstanceId", holder ? holder->instance : "");
	add_str(o, "Device", holder ? holder->device : "");
	add_str(o, "MultiAttach", d->multi_attach ? "Enabled" : "Disabled");
	add_str(o, "Portable", "false");
	json_object_object_add(o, "CreationTime", ecs_time_json(d->created));
	json_object_object_add(o, "AttachedTime",
			       ecs_time_json(holder ? holder->attached_at : 0));
	json_object_object_add(o, "Attachments", wrapped("Attachment", att));
	json_object_object_add(o, "OperationLocks",
			       wrapped("OperationLock", json_object_new_array()));
	json_object_object_add(o, "Tags", wrapped("Tag", json_object_new_array()));
	return o;
}

struct json_object *render_snapshot(const struct ecs_snapshot *s)
{
	struct json_object *o = json_object_new_object();
	char progress[8];

	snprintf(progress, sizeof(progress), "%d%%", s->progress);
	add_str(o, "SnapshotId", s->id);
	add_str(o, "SnapshotName", s->name);
	add_str(o, "Description", s->description);
	add_str(o, "RegionId", s->region);
	add_str(o, "SourceDiskId", s->source_disk);
	add_str(o, "SourceDiskType", "data");
	json_object_object_add(o, "SourceDiskSize",
			       json_object_new_int64(s->source_size_gib));
	add_str(o, "Category", "standard");
	json_object_object_add(o, "Encrypted", json_object_new_boolean(s->encrypted));
	add_str(o, "KMSKeyId", s->kms_key_id);
	add_str(o, "Status", snapshot_status_name(s->status));
	add_str(o, "Progress", progress);
	json_object_object_add(o, "CreationTime", ecs_time_json(s->created));
	json_object_object_add(o, "Tags", wrapped("Tag", json_object_new_array()));
	return o;
}

struct json_object *render_instance(const struct ecs_instance *i,
				    enum instance_status status)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "InstanceId", i->id);
	add_str(o, "InstanceName", i->id);
	add_str(o, "RegionId", i->region);
	add_str(o, "Status", instance_status_name(status));
	json_object_object_add(o, "Tags", wrapped("Tag", json_object_new_array()));
	return o;
}

enum ecs_err render_page(struct api_call *call, struct json_object *items,
			 const char *outer, const char *inner)
{
	const struct api_args *a = &call->args;
	size_t total = json_object_array_length(items), from, count;
	struct json_object *page = json_object_new_array();
	bool by_token = api_given(call, "MaxResults") || api_given(call, "NextToken");

	if (by_token) {
		char *end;

		from = a->next_token ? strtoul(a->next_token, &end, 10) : 0;
		if (a->next_token && *end) {
			json_object_put(items);
			json_object_put(page);
			return api_fail(call, ECS_ERR_INVALID_PARAMETER,
					"The specified NextToken is not valid.");
		}
		count = a->max_results ? (size_t)a->max_results : 10;
	} else {
		int64_t number = a->page_number ? a->page_number : 1;

		count = a->page_size ? (size_t)a->page_size : 10;
		from = (size_t)(number - 1) * count;
		json_object_object_add(call->reply, "PageNumber",
				       json_object_new_int64(number));
		json_object_object_add(call->reply, "PageSize",
				       json_object_new_int64((int64_t)count));
	}
	for (size_t i = from; i < total && i < from + count; i++)
		json_object_array_add(page, json_object_get(
			json_object_array_get_idx(items, i)));
	if (by_token) {
		char next[24] = "";

		if (from + count < total)
			snprintf(next, sizeof(next), "%zu", from + count);
		json_object_object_add(call->reply, "NextToken",
				       json_object_new_string(next));
	}
	json_object_object_add(call->reply, "TotalCount",
			       json_object_new_int64((int64_t)total));
	json_object_object_add(call->reply, outer, wrapped(inner, page));
	json_object_put(items);
	return ECS_ERR_NONE;
}
