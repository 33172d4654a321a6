// SPDX-License-Identifier: GPL-2.0
/*
 * create-snapshot, delete-snapshot, describe-snapshots, and the two ops
 * that rewrite a disk from a snapshot or from nothing: reset-disk and
 * reinit-disk.  A snapshot is a copy of the disk's store (same data key,
 * same lineage); a rewritten disk is built beside the old store and
 * renamed over it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel.h"
#include "kms_ops.h"
#include "log.h"
#include "ops_common.h"
#include "store.h"

int op_create_snapshot(struct op_ctx *ctx, const struct agent_args *args,
		       struct json_object **result)
{
	struct catalog_object disk;
	struct disk_header h;
	char dm[64], path[512];
	int suspended = 0, r;

	r = get_disk(ctx, args->disk_id, &disk);
	if (r < 0)
		return r;
	r = read_object_header(ctx, &disk, &h);
	if (r < 0)
		return r;
	if (disk.encrypted) {
		r = kms_ops_check_key(ctx, h.kms_key_id);
		if (r < 0)
			return r;
	}
	h.flags |= DISK_HEADER_F_SNAPSHOT;
	h.seqno = 0;
	h.created = (uint64_t)time(NULL);
	snprintf(h.source_id, sizeof(h.source_id), "%s", disk.id);
	r = store_new_id("s", h.object_id, sizeof(h.object_id));
	if (r == 0)
		r = store_path(ctx->agent, ctx->region, h.object_id, path,
			       sizeof(path));
	if (r < 0)
		return op_fail(ctx, r, "cannot name the snapshot");

	/* An attached disk is suspended (I/O flushed, held) while copied. */
	disk_dm_name(disk.id, dm, sizeof(dm));
	if (dm_exists(dm) == 1) {
		r = dm_suspend(dm);
		if (r < 0)
			return op_fail(ctx, r, "cannot suspend %s for a consistent snapshot", disk.id);
		suspended = 1;
	}
	r = store_build(path, &h, disk.path, h.data_size);
	if (suspended && dm_resume(dm) < 0)
		log_err("resuming %s after the snapshot failed", disk.id);
	if (r < 0)
		return op_fail(ctx, r, "cannot write snapshot %s: %s", h.object_id,
			       strerror(-r));
	return record_new_object(ctx, &h, path, result);
}

int op_delete_snapshot(struct op_ctx *ctx, const struct agent_args *args,
		       struct json_object **result)
{
	struct catalog_object snap;
	int r;

	r = get_snapshot(ctx, args->snapshot_id, &snap);
	if (r < 0)
		return r;
	return delete_object(ctx, &snap, "SnapshotId", result);
}

int op_describe_snapshots(struct op_ctx *ctx, const struct agent_args *args,
			  struct json_object **result)
{
	struct json_object *list = json_object_new_array();
	int r;

	r = catalog_list(ctx->agent->catalog, CATALOG_SNAPSHOT, ctx->region,
			 describe_into_array, list);
	if (r < 0) {
		json_object_put(list);
		return op_fail(ctx, r, "catalog listing failed");
	}
	*result = json_object_new_object();
	json_object_object_add(*result, "Snapshots", list);
	return 0;
}

static int require_detached(struct op_ctx *ctx, const struct catalog_object *d,
			    const char *what)
{
	char dm[64];

	disk_dm_name(d->id, dm, sizeof(dm));
	if (dm_exists(dm) == 1)
		return op_fail(ctx, -EBUSY, "disk %s is attached; detach it before %s",
			       d->id, what);
	return 0;
}

/* Rebuild @disk's store from @snap's data, key and lineage. */
static int restore_from(struct op_ctx *ctx, const struct catalog_object *disk,
			struct disk_header *dh, const struct catalog_object *snap)
{
	struct disk_header sh;
	int r;

	r = read_object_header(ctx, snap, &sh);
	if (r < 0)
		return r;
	if (snap->encrypted) {
		r = kms_ops_check_key(ctx, sh.kms_key_id);
		if (r < 0)
			return r;
	}
	if (sh.data_size > dh->data_size || sh.data_offset != dh->data_offset)
		return op_fail(ctx, -EINVAL, "snapshot %s does not fit disk %s",
			       snap->id, disk->id);
	header_inherit_key(dh, &sh);
	return store_build(disk->path, dh, snap->path, sh.data_size);
}

static int record_rewrite(struct op_ctx *ctx, const struct disk_header *h,
			  const struct catalog_object *old,
			  struct json_object **result)
{
	struct catalog_object o;
	int r;

	object_from_header(&o, h, old->path);
	o.attached = 0;
	r = catalog_put(ctx->agent->catalog, &o);
	if (r < 0)
		return op_fail(ctx, r, "cannot update %s in the catalog", o.id);
	*result = object_to_json(&o);
	return 0;
}

int op_reset_disk(struct op_ctx *ctx, const struct agent_args *args,
		  struct json_object **result)
{
	struct catalog_object disk, snap;
	struct disk_header h;
	int r;

	r = get_disk(ctx, args->disk_id, &disk);
	if (!r)
		r = get_snapshot(ctx, args->snapshot_id, &snap);
	if (!r)
		r = require_detached(ctx, &disk, "resetting it");
	if (r < 0)
		return r;
	if (strcmp(snap.source_id, disk.id))
		return op_fail(ctx, -EINVAL,
			"snapshot %s was taken of disk %s, not of %s; make a new disk from it instead (create-disk --snapshot-id %s)",
			snap.id, snap.source_id, disk.id, snap.id);
	r = read_object_header(ctx, &disk, &h);
	if (r < 0)
		return r;
	r = restore_from(ctx, &disk, &h, &snap);
	if (r < 0)
		return ctx->error[0] ? r :
		       op_fail(ctx, r, "cannot rewrite %s: %s", disk.id, strerror(-r));
	return record_rewrite(ctx, &h, &disk, result);
}

int op_reinit_disk(struct op_ctx *ctx, const struct agent_args *args,
		   struct json_object **result)
{
	struct catalog_object disk, snap;
	struct disk_header h;
	int r;

	r = get_disk(ctx, args->disk_id, &disk);
	if (!r)
		r = require_detached(ctx, &disk, "re-initialising it");
	if (!r)
		r = read_object_header(ctx, &disk, &h);
	if (r < 0)
		return r;
	if (h.source_id[0]) {
		/* Made from a snapshot: back to that snapshot's content. */
		if (get_snapshot(ctx, h.source_id, &snap) < 0)
			return op_fail(ctx, -ENOENT,
				"disk %s was made from snapshot %s, which no longer exists; it cannot be re-initialised",
				disk.id, h.source_id);
		r = restore_from(ctx, &disk, &h, &snap);
	} else {
		/*
		 * Made empty: empty again.  An encrypted disk gets a new data
		 * key under the same CMK, so the old data is gone for good
		 * even where a block was never overwritten.
		 */
		char cmk[128];

		snprintf(cmk, sizeof(cmk), "%s", h.kms_key_id);
		r = header_new_key(ctx, &h, cmk);
		if (r == 0)
			r = store_build(disk.path, &h, NULL, 0);
	}
	if (r < 0)
		return ctx->error[0] ? r :
		       op_fail(ctx, r, "cannot rewrite %s: %s", disk.id, strerror(-r));
	return record_rewrite(ctx, &h, &disk, result);
}
