// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ecs_format.h"
#include "render.h"

/* RF_GIB: bytes shown as ECS shows sizes, whole GiB rounded up. */
enum render_type { RF_STR, RF_U64, RF_GIB, RF_TIME, RF_INT_BOOL, RF_STATUS };

struct render_field {
	const char *disk_key;	/* its name in a disk's JSON; NULL: none */
	const char *snap_key;	/* its name in a snapshot's; NULL: none */
	unsigned int views;	/* enum render_view bits */
	enum render_type type;
	size_t offset;		/* of the value in struct core_object */
};

#define AT(field) offsetof(struct core_object, field)
#define ALL (RENDER_FULL | RENDER_ATTACH | RENDER_ID)

static const struct render_field fields[] = {
	{ "DiskId", "SnapshotId", ALL, RF_STR, AT(row.id) },
	{ "RegionId", "RegionId", RENDER_FULL, RF_STR, AT(row.region) },
	{ "Category", "Category", RENDER_FULL, RF_STR, AT(row.category) },
	{ "Size", "SourceDiskSize", RENDER_FULL, RF_GIB, AT(row.size) },
	{ "SizeBytes", "SizeBytes", RENDER_FULL, RF_U64, AT(row.size) },
	{ "Encrypted", "Encrypted", RENDER_FULL, RF_INT_BOOL, AT(row.encrypted) },
	{ "KMSKeyId", "KMSKeyId", RENDER_FULL, RF_STR, AT(row.kms_key_id) },
	{ "KMSKeyVersionId", "KMSKeyVersionId", RENDER_FULL, RF_STR, AT(row.kms_key_version) },
	{ "LineageId", "LineageId", RENDER_FULL, RF_STR, AT(row.lineage_id) },
	{ "SourceSnapshotId", "SourceDiskId", RENDER_FULL, RF_STR, AT(row.source_id) },
	{ "Status", NULL, RENDER_FULL, RF_STATUS, AT(in_use) },
	{ "Device", NULL, RENDER_FULL | RENDER_ATTACH, RF_STR, AT(device) },
	{ "CreationTime", "CreationTime", RENDER_FULL, RF_TIME, AT(row.created) },
	{ NULL, "CopyMethod", RENDER_FULL, RF_STR, AT(row.copy_method) },
};

static struct json_object *value(const struct render_field *f,
				 const struct core_object *o)
{
	const char *p = (const char *)o + f->offset;

	switch (f->type) {
	case RF_STR:
		return json_object_new_string(p);
	case RF_U64:
		return json_object_new_int64((int64_t)*(const uint64_t *)p);
	case RF_GIB:
		return json_object_new_int64((int64_t)((*(const uint64_t *)p +
							(1ull << 30) - 1) >> 30));
	case RF_TIME:
		return ecs_time_json((int64_t)*(const uint64_t *)p);
	case RF_INT_BOOL:
		return json_object_new_boolean(*(const int *)p);
	case RF_STATUS:
		return json_object_new_string(*(const int *)p ? "In_use" :
							       "Available");
	}
	return NULL;
}

/* "Attachments": [{"InstanceId", "Device", "AttachedTime"}], as ECS. */
static struct json_object *attachments(const struct core_object *o)
{
	struct json_object *list = json_object_new_array();

	for (int i = 0; i < o->n_attachments; i++) {
		const struct backend_attachment *at = &o->attachments[i];
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "InstanceId",
				       json_object_new_string(at->instance));
		json_object_object_add(j, "Device", json_object_new_string(at->device));
		json_object_object_add(j, "AttachedTime", ecs_time_json((int64_t)at->attached));
		json_object_array_add(list, j);
	}
	return list;
}

struct json_object *render_object(const struct core_object *o,
				  enum render_view view)
{
	struct json_object *j = json_object_new_object();
	int disk = o->row.kind == CATALOG_DISK;

	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
		const struct render_field *f = &fields[i];
		const char *key = disk ? f->disk_key : f->snap_key;

		if (key && (f->views & view))
			json_object_object_add(j, key, value(f, o));
	}
	if (disk && (view & RENDER_FULL)) {
		json_object_object_add(j, "Attachments", attachments(o));
		/* Attachments lists only this host's then: say so, and why. */
		if (o->attachments_errno) {
			json_object_object_add(j, "AttachmentsUnknown",
					       json_object_new_boolean(1));
			json_object_object_add(j, "AttachmentsError",
					       json_object_new_string(o->attachments_error));
		}
	}
	return j;
}

struct json_object *render_list_new(enum catalog_kind kind,
				    struct json_object **array)
{
	struct json_object *j = json_object_new_object();

	*array = json_object_new_array();
	json_object_object_add(j, kind == CATALOG_DISK ? "Disks" : "Snapshots",
			       *array);
	return j;
}

int render_into_array(const struct core_object *o, void *array)
{
	json_object_array_add(array, render_object(o, RENDER_FULL));
	return 0;
}
