// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel.h"
#include "log.h"
#include "store.h"
#include "ops_common.h"

int op_fail(struct op_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
	va_end(ap);
	return err < 0 ? err : -err;
}

int op_fail_code(struct op_ctx *ctx, int err, const char *code,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
	va_end(ap);
	ctx->code = code;
	return err < 0 ? err : -err;
}

void op_count_kms_call(struct op_ctx *ctx, const char *action)
{
	size_t i;

	for (i = 0; i < ctx->n_kms_calls; i++)
		if (!strcmp(ctx->kms_calls[i].action, action))
			break;
	if (i == OP_MAX_KMS_ACTIONS) {
		log_err("%s: more than %d KMS actions, %s not billed", ctx->op,
			OP_MAX_KMS_ACTIONS, action);
		return;
	}
	if (i == ctx->n_kms_calls)
		ctx->kms_calls[ctx->n_kms_calls++] =
			(struct op_kms_tally){ .action = action };
	ctx->kms_calls[i].calls++;
}

void op_bill(struct op_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n_kms_calls; i++)
		catalog_count_kms_calls(ctx->agent->catalog, ctx->region,
					ctx->op, ctx->kms_calls[i].action,
					ctx->kms_calls[i].calls);
	ctx->n_kms_calls = 0;
}

void disk_dm_name(const char *disk_id, char *buf, size_t len)
{
	snprintf(buf, len, "ecsenc-%s", disk_id);
}

static int get_kind(struct op_ctx *ctx, const char *id,
		    struct catalog_object *o, enum catalog_kind kind)
{
	const char *what = kind == CATALOG_DISK ? "disk" : "snapshot";
	int r;

	if (!id || !*id)
		return op_fail(ctx, -EINVAL, "which %s?", what);
	r = catalog_get(ctx->agent->catalog, ctx->region, id, o);
	if (r == -ENOENT || (r == 0 && o->kind != kind))
		return op_fail(ctx, -ENOENT, "no %s %s in region %s", what, id,
			       ctx->region);
	if (r < 0)
		return op_fail(ctx, r, "catalog lookup of %s failed", id);
	return 0;
}

int get_disk(struct op_ctx *ctx, const char *id, struct catalog_object *o)
{
	return get_kind(ctx, id, o, CATALOG_DISK);
}

int get_snapshot(struct op_ctx *ctx, const char *id, struct catalog_object *o)
{
	return get_kind(ctx, id, o, CATALOG_SNAPSHOT);
}

int read_object_header(struct op_ctx *ctx, const struct catalog_object *o,
		       struct disk_header *h)
{
	char why[128];
	int r = store_read_header(o->path, h, why, sizeof(why));

	if (r == -EPROTO)
		return op_fail(ctx, r, "%s: %s refused: %s", o->id, o->path, why);
	if (r == -EBADMSG)
		return op_fail(ctx, r, "%s: both header copies of %s are damaged",
			       o->id, o->path);
	if (r < 0)
		return op_fail(ctx, r, "%s: cannot read %s: %s", o->id, o->path,
			       strerror(-r));
	if (strcmp(h->object_id, o->id))
		return op_fail(ctx, -EBADMSG, "%s holds %s, not %s", o->path,
			       h->object_id, o->id);
	return 0;
}

void object_from_header(struct catalog_object *o, const struct disk_header *h,
			const char *path)
{
	memset(o, 0, sizeof(*o));
	o->kind = h->flags & DISK_HEADER_F_SNAPSHOT ? CATALOG_SNAPSHOT :
						      CATALOG_DISK;
	snprintf(o->id, sizeof(o->id), "%s", h->object_id);
	snprintf(o->region, sizeof(o->region), "%s", h->region);
	snprintf(o->category, sizeof(o->category), "%s", h->category);
	o->size = h->data_size;
	o->encrypted = !!(h->flags & DISK_HEADER_F_ENCRYPTED);
	snprintf(o->kms_key_id, sizeof(o->kms_key_id), "%s", h->kms_key_id);
	snprintf(o->lineage_id, sizeof(o->lineage_id), "%s", h->lineage_id);
	snprintf(o->source_id, sizeof(o->source_id), "%s", h->source_id);
	snprintf(o->path, sizeof(o->path), "%s", path);
	o->created = h->created;
}

void header_inherit_key(struct disk_header *dst,
			const struct disk_header *src)
{
	dst->flags = src->flags & DISK_HEADER_F_ENCRYPTED;
	dst->sector_size = src->sector_size;
	memcpy(dst->lineage_id, src->lineage_id, sizeof(dst->lineage_id));
	memcpy(dst->cipher, src->cipher, sizeof(dst->cipher));
	memcpy(dst->kms_key_id, src->kms_key_id, sizeof(dst->kms_key_id));
	memcpy(dst->encryption_context, src->encryption_context,
	       sizeof(dst->encryption_context));
	memcpy(dst->wrapped_key, src->wrapped_key, sizeof(dst->wrapped_key));
}

int record_new_object(struct op_ctx *ctx, const struct disk_header *h,
		      const char *path, struct json_object **result)
{
	struct catalog_object o;
	int r;

	object_from_header(&o, h, path);
	r = catalog_put(ctx->agent->catalog, &o);
	if (r < 0) {
		unlink(path);
		return op_fail(ctx, r, "cannot record %s in the catalog", o.id);
	}
	*result = object_to_json(&o);
	return 0;
}

int delete_object(struct op_ctx *ctx, const struct catalog_object *o,
		  const char *id_key, struct json_object **result)
{
	int r;

	if (unlink(o->path) < 0 && errno != ENOENT)
		return op_fail(ctx, -errno, "cannot remove %s: %m", o->path);
	r = catalog_delete(ctx->agent->catalog, o->id);
	if (r < 0)
		return op_fail(ctx, r, "catalog update failed");
	*result = json_object_new_object();
	json_object_object_add(*result, id_key, json_object_new_string(o->id));
	return 0;
}

int describe_into_array(const struct catalog_object *o, void *array)
{
	json_object_array_add(array, object_to_json(o));
	return 0;
}

static void add_str(struct json_object *j, const char *k, const char *v)
{
	json_object_object_add(j, k, json_object_new_string(v));
}

struct json_object *object_to_json(const struct catalog_object *o)
{
	struct json_object *j = json_object_new_object();
	char dm[64], dev[128] = "";
	int disk = o->kind == CATALOG_DISK;
	int attached = 0;

	if (disk) {
		disk_dm_name(o->id, dm, sizeof(dm));
		attached = dm_exists(dm) == 1;
		if (attached)
			dm_node_path(dm, dev, sizeof(dev));
	}
	add_str(j, disk ? "DiskId" : "SnapshotId", o->id);
	add_str(j, "RegionId", o->region);
	add_str(j, "Category", o->category);
	json_object_object_add(j, "Size", json_object_new_int64((int64_t)o->size));
	json_object_object_add(j, "Encrypted", json_object_new_boolean(o->encrypted));
	add_str(j, "KMSKeyId", o->kms_key_id);
	add_str(j, "LineageId", o->lineage_id);
	add_str(j, disk ? "SourceSnapshotId" : "SourceDiskId", o->source_id);
	if (disk) {
		add_str(j, "Status", attached ? "In_use" : "Available");
		add_str(j, "Device", dev);
	}
	json_object_object_add(j, "CreationTime",
			       json_object_new_int64((int64_t)o->created));
	return j;
}

static const char *const encryptable[] = {
	"cloud", "cloud_efficiency", "cloud_ssd", "san_ssd", "san_efficiency",
};
static const char *const not_encryptable[] = {
	"cloud_essd", "cloud_auto", "ephemeral", "ephemeral_ssd",
	"local_ssd_pro", "local_hdd_pro",
};

int check_category(struct op_ctx *ctx, const char *category, int encrypted)
{
	size_t i;

	if (!category || !*category)
		return op_fail(ctx, -EINVAL, "a disk category is required (cloud, cloud_efficiency, cloud_ssd, cloud_essd, san_ssd, san_efficiency)");
	for (i = 0; i < sizeof(encryptable) / sizeof(*encryptable); i++)
		if (!strcmp(category, encryptable[i]))
			return 0;
	for (i = 0; i < sizeof(not_encryptable) / sizeof(*not_encryptable); i++) {
		if (strcmp(category, not_encryptable[i]))
			continue;
		if (!encrypted)
			return 0;
		return op_fail(ctx, -EOPNOTSUPP,
			"%s disks cannot be encrypted: only cloud, cloud_efficiency, cloud_ssd and shared block storage (san_ssd, san_efficiency) can; ESSD and local disks cannot",
			category);
	}
	return op_fail(ctx, -EINVAL, "unknown disk category %s (cloud, cloud_efficiency, cloud_ssd, cloud_essd, san_ssd, san_efficiency)",
		       category);
}
