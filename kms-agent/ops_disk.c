// SPDX-License-Identifier: GPL-2.0
/* create-disk, delete-disk, describe-disks. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel.h"
#include "kms_ops.h"
#include "ops_common.h"
#include "store.h"

static void header_init(struct disk_header *h, const char *region,
			const char *category, uint64_t size)
{
	memset(h, 0, sizeof(*h));
	h->sector_size = 512;
	h->data_offset = DISK_HEADER_DATA_OFFSET;
	h->data_size = size;
	h->created = (uint64_t)time(NULL);
	snprintf(h->region, sizeof(h->region), "%s", region);
	snprintf(h->category, sizeof(h->category), "%s", category);
	snprintf(h->cipher, sizeof(h->cipher), "none");
}

/* Give @h a fresh lineage and, when encrypted, a new wrapped data key. */
int header_new_key(struct op_ctx *ctx, struct disk_header *h,
		   const char *kms_key_id)
{
	int r;

	r = store_new_id("l", h->lineage_id, sizeof(h->lineage_id));
	if (r < 0)
		return op_fail(ctx, r, "no randomness for a lineage id");
	if (!(h->flags & DISK_HEADER_F_ENCRYPTED))
		return 0;
	snprintf(h->cipher, sizeof(h->cipher), "aes-xts-plain64");
	kms_ops_context(h->lineage_id, h->region, h->encryption_context,
			sizeof(h->encryption_context));
	return kms_ops_new_data_key(ctx, kms_key_id, h->encryption_context,
				    h->wrapped_key, sizeof(h->wrapped_key),
				    h->kms_key_id, sizeof(h->kms_key_id));
}

static int create_from_snapshot(struct op_ctx *ctx, const struct agent_args *args,
				struct disk_header *h, const char **src_path,
				uint64_t *copy_len, struct catalog_object *snap)
{
	struct disk_header sh;
	int r;

	r = get_snapshot(ctx, args->snapshot_id, snap);
	if (r < 0)
		return r;
	r = read_object_header(ctx, snap, &sh);
	if (r < 0)
		return r;
	if (args->encrypted && !snap->encrypted)
		return op_fail(ctx, -EOPNOTSUPP,
			"snapshot %s is not encrypted and a disk made from it cannot be encrypted directly: create an encrypted disk and copy onto it (ecsenc-ctl copy-disk SRC DST)",
			snap->id);
	if (args->kms_key_id && strcmp(args->kms_key_id, sh.kms_key_id))
		return op_fail(ctx, -EOPNOTSUPP,
			"a disk made from snapshot %s keeps its data key under %s; to change the key, copy onto a new disk (ecsenc-ctl copy-disk)",
			snap->id, sh.kms_key_id[0] ? sh.kms_key_id : "no key");
	if (!h->data_size)
		h->data_size = sh.data_size;
	if (!h->category[0])
		memcpy(h->category, sh.category, sizeof(h->category));
	if (h->data_size < sh.data_size)
		return op_fail(ctx, -EINVAL,
			"a disk made from snapshot %s needs at least %llu bytes",
			snap->id, (unsigned long long)sh.data_size);
	if (sh.data_offset != h->data_offset)
		return op_fail(ctx, -EPROTONOSUPPORT, "snapshot %s has an unexpected data offset", snap->id);
	r = check_category(ctx, h->category, snap->encrypted);
	if (r < 0)
		return r;
	if (snap->encrypted) {
		r = kms_ops_check_key(ctx, sh.kms_key_id);
		if (r < 0)
			return r;
	}
	/* Same data key, same lineage: the disk continues the snapshot's. */
	header_inherit_key(h, &sh);
	snprintf(h->source_id, sizeof(h->source_id), "%s", snap->id);
	*src_path = snap->path;
	*copy_len = sh.data_size;
	return 0;
}

int op_create_disk(struct op_ctx *ctx, const struct agent_args *args,
		   struct json_object **result)
{
	const char *category = args->category;
	const char *key = args->kms_key_id;
	int encrypted = args->encrypted;
	uint64_t size = args->size;	/* within the limits: agent_ops.c */
	struct catalog_object snap;
	const char *src_path = NULL;
	uint64_t copy_len = 0;
	struct disk_header h;
	char path[512];
	int r;

	if (key && !encrypted && !args->snapshot_id)
		return op_fail(ctx, -EINVAL, "--kms-key-id needs --encrypted");
	header_init(&h, ctx->region, category ? category : "", size);
	r = store_new_id("d", h.object_id, sizeof(h.object_id));
	if (r < 0)
		return op_fail(ctx, r, "no randomness for a disk id");

	if (args->snapshot_id) {
		r = create_from_snapshot(ctx, args, &h, &src_path, &copy_len,
					 &snap);
	} else if (!size) {
		r = op_fail(ctx, -EINVAL, "a new disk needs a size");
	} else {
		r = check_category(ctx, category, encrypted);
		if (r == 0) {
			h.flags = encrypted ? DISK_HEADER_F_ENCRYPTED : 0;
			r = header_new_key(ctx, &h, key ? key : SERVICE_KEY_ALIAS);
		}
	}
	if (r < 0)
		return r;

	r = store_path(ctx->agent, ctx->region, h.object_id, path, sizeof(path));
	if (r == 0)
		r = store_build(path, &h, src_path, copy_len);
	if (r == -ENOSPC)
		return op_fail(ctx, r, "a %llu-byte disk does not fit in the %llu bytes free under %s",
			       (unsigned long long)h.data_size,
			       (unsigned long long)store_free_bytes(path),
			       ctx->agent->state_dir);
	if (r < 0)
		return op_fail(ctx, r, "cannot create the backing store of %s: %s",
			       h.object_id, strerror(-r));
	return record_new_object(ctx, &h, path, result);
}

int op_delete_disk(struct op_ctx *ctx, const struct agent_args *args,
		   struct json_object **result)
{
	struct catalog_object o;
	char dm[64];
	int r;

	r = get_disk(ctx, args->disk_id, &o);
	if (r < 0)
		return r;
	disk_dm_name(o.id, dm, sizeof(dm));
	if (dm_exists(dm) == 1)
		return op_fail(ctx, -EBUSY, "disk %s is attached; detach it first", o.id);
	return delete_object(ctx, &o, "DiskId", result);
}

int op_describe_disks(struct op_ctx *ctx, const struct agent_args *args,
		      struct json_object **result)
{
	struct json_object *list = json_object_new_array();
	struct catalog_object o;
	int r = 0;

	if (args->n_disk_ids) {
		for (size_t i = 0; i < args->n_disk_ids; i++) {
			r = get_disk(ctx, args->disk_ids[i], &o);
			if (r < 0)
				break;
			describe_into_array(&o, list);
		}
	} else {
		r = catalog_list(ctx->agent->catalog, CATALOG_DISK, ctx->region,
				 describe_into_array, list);
		if (r < 0)
			op_fail(ctx, r, "catalog listing failed");
	}
	if (r < 0) {
		json_object_put(list);
		return r;
	}
	*result = json_object_new_object();
	json_object_object_add(*result, "Disks", list);
	return 0;
}
