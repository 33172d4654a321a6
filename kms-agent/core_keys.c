// SPDX-License-Identifier: GPL-2.0
/*
 * The key lifecycle of stores (core.h): rewrapping a data key after a CMK
 * rotation or under another CMK, and copying a snapshot into a new lineage,
 * in its region or into another.  Only headers change hands here; the data
 * area is never read, and a plaintext data key exists only for a copy into
 * another region, in locked memory, between Decrypt and Encrypt.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent_kms.h"
#include "core_internal.h"
#include "log.h"
#include "secmem.h"

static const char *kind_name(enum catalog_kind kind)
{
	return kind == CATALOG_DISK ? "disk" : "snapshot";
}

static void take_wrapped(struct disk_header *h, const struct agent_kms_wrapped *w)
{
	snprintf(h->wrapped_key, sizeof(h->wrapped_key), "%s", w->blob);
	snprintf(h->kms_key_id, sizeof(h->kms_key_id), "%s", w->key_id);
	snprintf(h->kms_key_version, sizeof(h->kms_key_version), "%s",
		 w->key_version);
}

int core_rewrap(struct op_ctx *ctx, enum catalog_kind kind, const char *id,
		const char *new_key, struct core_object *out)
{
	const struct backend_ops *be = ctx->agent->backend;
	struct agent_kms_wrapped w;
	struct backend_ref ref;
	struct disk_header h;
	const char *dst;
	int r;

	r = core_get(ctx, kind, id, out);
	if (r == 0)
		r = core_read_header(ctx, &out->row, &h);
	if (r < 0)
		return r;
	if (!(h.flags & DISK_HEADER_F_ENCRYPTED))
		return op_fail_code(ctx, -EINVAL, ECS_ERR_NOT_ENCRYPTED,
			"%s %s is not encrypted: it has no data key to rewrap",
			kind_name(kind), id);
	dst = new_key ? new_key : h.kms_key_id;
	if (new_key) {
		/* The destination first: its refusal names it, not the source. */
		r = agent_kms_check_destination(ctx, new_key, h.kms_key_id);
		if (r < 0)
			return r;
	}
	/* Same encryption context: the key stays bound to its lineage. */
	r = agent_kms_reencrypt(ctx, h.kms_key_id, h.wrapped_key,
				h.encryption_context, dst, h.encryption_context,
				&w);
	if (r < 0)
		return r;
	take_wrapped(&h, &w);
	ref.region = out->row.region;
	ref.id = out->row.id;
	/* Both copies, one after the other: a crash leaves one valid copy. */
	r = be->write_header(&ref, &h);
	if (r < 0)
		return op_fail(ctx, r, "cannot rewrite the header of %s: %s",
			       out->row.path, BACKEND_STRERROR(be, r));
	snprintf(out->row.kms_key_id, sizeof(out->row.kms_key_id), "%s", h.kms_key_id);
	snprintf(out->row.kms_key_version, sizeof(out->row.kms_key_version), "%s",
		 h.kms_key_version);
	r = catalog_put(ctx->agent->catalog, &out->row);
	if (r < 0)
		return op_fail(ctx, r, "cannot record the new key of %s in the catalog",
			       id);
	core_attachment(ctx->agent, out);
	log_info("rewrapped %s under %s version %s", id, h.kms_key_id,
		 h.kms_key_version[0] ? h.kms_key_version : "?");
	return 0;
}

/* Across regions: unwrap here, wrap again there (a blob is per region). */
static int wrap_in_region(struct op_ctx *ctx, const struct disk_header *sh,
			  struct disk_header *nh, const char *dst_key)
{
	struct op_ctx dctx = {
		.agent = ctx->agent, .op = ctx->op, .region = nh->region,
		.object_id = nh->object_id,
	};
	struct agent_kms_wrapped w;
	unsigned char *key = NULL;
	int r;

	r = agent_kms_check_destination(&dctx, dst_key, NULL);
	if (r == 0)
		r = agent_kms_unwrap(ctx, sh->kms_key_id, sh->wrapped_key,
				     sh->encryption_context, &key);
	if (r == 0)
		r = agent_kms_wrap(&dctx, dst_key, key, nh->encryption_context, &w);
	secmem_free(key);
	if (r == 0)
		take_wrapped(nh, &w);
	else if (dctx.error[0])
		op_fail(ctx, r, "region %s: %s", nh->region, dctx.error);
	/* The destination region's KMS calls are billed there. */
	op_bill(&dctx);
	return r;
}

int core_copy_snapshot(struct op_ctx *ctx, const struct core_snapshot_copy *req,
		       struct core_object *out)
{
	const char *region = req->region ? req->region : ctx->region;
	int cross = strcmp(region, ctx->region) != 0;
	struct agent_kms_wrapped w;
	struct disk_header sh, nh;
	struct core_object src;
	struct backend_ref ref;
	enum backend_copy how;
	int r;

	r = core_get(ctx, CATALOG_SNAPSHOT, req->snapshot_id, &src);
	if (r == 0)
		r = core_read_header(ctx, &src.row, &sh);
	if (r < 0)
		return r;
	if (!(sh.flags & DISK_HEADER_F_ENCRYPTED) && req->encrypted)
		return op_fail_code(ctx, -EOPNOTSUPP, ECS_ERR_OPERATION_DENIED,
			"snapshot %s is not encrypted and its data would have to be encrypted on the way: make a disk of it, copy that onto a new encrypted disk (ecsenc-ctl copy-disk) and snapshot that",
			src.row.id);
	if (!(sh.flags & DISK_HEADER_F_ENCRYPTED) && req->kms_key_id)
		return op_fail(ctx, -EINVAL,
			"snapshot %s is not encrypted; --kms-key-id needs an encrypted snapshot",
			src.row.id);

	nh = sh;
	nh.seqno = 0;
	nh.created = (uint64_t)time(NULL);
	snprintf(nh.region, sizeof(nh.region), "%s", region);
	r = core_object_id(ctx, "s", nh.object_id, sizeof(nh.object_id));
	if (r == 0)
		r = ecs_new_id("l", nh.lineage_id, sizeof(nh.lineage_id));
	if (r < 0)
		return op_fail(ctx, r, "no randomness for the copy's ids");
	if (sh.flags & DISK_HEADER_F_ENCRYPTED) {
		/* A new lineage: the key is bound to the copy's context. */
		agent_kms_context(nh.lineage_id, nh.region, nh.encryption_context,
				  sizeof(nh.encryption_context));
		if (cross) {
			r = wrap_in_region(ctx, &sh, &nh, req->kms_key_id ?
					   req->kms_key_id : KMS_SERVICE_KEY_ALIAS);
		} else {
			const char *dst = req->kms_key_id ? req->kms_key_id :
							    sh.kms_key_id;

			r = req->kms_key_id ?
			    agent_kms_check_destination(ctx, dst, sh.kms_key_id) : 0;
			if (r == 0)
				r = agent_kms_reencrypt(ctx, sh.kms_key_id,
							sh.wrapped_key,
							sh.encryption_context,
							dst, nh.encryption_context,
							&w);
			if (r == 0)
				take_wrapped(&nh, &w);
		}
		if (r < 0)
			return r;
	}
	ref.region = src.row.region;
	ref.id = src.row.id;
	r = ctx->agent->backend->snapshot(&ref, &nh, &how);
	if (r < 0)
		return op_fail(ctx, r, "cannot write the copy %s of %s: %s",
			       nh.object_id, src.row.id,
			       BACKEND_STRERROR(ctx->agent->backend, r));
	r = core_record(ctx, &nh, how, true, out);
	if (r == 0)
		log_info("copied snapshot %s to %s in %s", src.row.id,
			 nh.object_id, nh.region);
	return r;
}
