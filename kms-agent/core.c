// SPDX-License-Identifier: GPL-2.0
/*
 * The lifecycle core (core.h): the get -> header -> KMS -> store ->
 * catalog chain of every management operation, written once.
 *
 * Order of writes, so that a crash at any point leaves something start-up
 * reconciliation (core_reconcile) can settle from the stores alone:
 *   create, snapshot:  store (built as .new, renamed)  then catalog row
 *   reset, reinit:     store rebuilt and renamed over   then catalog row
 *   delete:            catalog row                      then store
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "backend.h"
#include "core_internal.h"
#include "disk_category.h"
#include "kernel.h"
#include "agent_kms.h"
#include "log.h"

/* "<prefix>-" and 20 random lowercase letters and digits. */
int core_object_id(struct op_ctx *ctx, const char *prefix, char *buf,
		   size_t len)
{
	size_t n = strlen(prefix);

	if (!ctx->new_id)
		return ecs_new_id(prefix, buf, len);
	if (strncmp(ctx->new_id, prefix, n) || ctx->new_id[n] != '-' ||
	    strlen(ctx->new_id) >= len)
		return op_fail(ctx, -EINVAL, "new_id %s is not a %s- id",
			       ctx->new_id, prefix);
	snprintf(buf, len, "%s", ctx->new_id);
	return 0;
}

int core_made_before(struct op_ctx *ctx, enum catalog_kind kind,
		     const char *region, struct core_object *o)
{
	const char *was = ctx->region;
	char saved[sizeof(ctx->error)];
	enum ecs_err code = ctx->code;
	int r;

	if (!ctx->new_id)
		return -ENOENT;
	memcpy(saved, ctx->error, sizeof(saved));
	if (region)
		ctx->region = region;
	r = core_get(ctx, kind, ctx->new_id, o);
	ctx->region = was;
	/* Not made yet is no error of the request's. */
	memcpy(ctx->error, saved, sizeof(saved));
	ctx->code = code;
	return r;
}

/*
 * Another host made @id: the store is the truth, and the catalog learns
 * it.  -ENOENT when there is no such store either; the backend's error
 * when it did not answer (the store may well be there).
 */
static int fetch_from_store(struct op_ctx *ctx, const char *id,
			    struct core_object *o)
{
	struct backend_ref ref = { .region = ctx->region, .id = id };
	struct disk_header h;
	int r;

	r = core_backend(ctx)->read_header(&ref, &h, NULL, 0);
	if (backend_unreachable(r))
		return r;	/* not known to be gone: the storage did not answer */
	if (r < 0)
		return -ENOENT;
	r = core_from_store(ctx->agent, &ref, o);
	if (r < 0)
		return -ENOENT;
	catalog_put(ctx->agent->catalog, &o->row);
	log_info("%s: learnt from the %s backend (made by another host)", id,
		 core_backend(ctx)->name);
	return 0;
}

int core_get(struct op_ctx *ctx, enum catalog_kind kind, const char *id,
	     struct core_object *o)
{
	const char *what = kind == CATALOG_DISK ? "disk" : "snapshot";
	int r;

	memset(o, 0, sizeof(*o));
	if (!id || !*id)
		return op_fail_code(ctx, -EINVAL, ECS_ERR_MISSING_PARAMETER,
				    "which %s?", what);
	r = catalog_get(ctx->agent->catalog, ctx->region, id, &o->row);
	if (r == -ENOENT && core_backend(ctx)->shared_by_hosts &&
	    core_id_ok(id, kind))
		r = fetch_from_store(ctx, id, o);
	if (r == -ENOENT || (r == 0 && o->row.kind != kind))
		return op_fail_code(ctx, -ENOENT, kind == CATALOG_DISK ?
				    ECS_ERR_DISK_NOT_FOUND : ECS_ERR_SNAPSHOT_NOT_FOUND,
				    "no %s %s in region %s", what, id,
			       ctx->region);
	if (backend_unreachable(r))
		return op_fail(ctx, r, "looking up %s %s: %s", what, id,
			       BACKEND_STRERROR(core_backend(ctx), r));
	if (r < 0)
		return op_fail(ctx, r, "catalog lookup of %s failed", id);
	core_attachment(ctx->agent, o);
	core_fill_attachments(ctx->agent, o);
	return 0;
}

struct list_walk {
	core_visit_fn fn;
	void *arg;
	const struct agent *agent;
	int unreachable;	/* the backend's error, once it did not answer */
};

/*
 * Once the storage did not answer for one object of a listing, the rest
 * carry that error instead of asking again: a listing of N disks waits
 * out one timeout, not N.
 */
static void walk_attachments(struct list_walk *w, struct core_object *o)
{
	if (w->unreachable && o->row.kind == CATALOG_DISK) {
		core_attachments_unknown(w->agent, o, w->unreachable);
		return;
	}
	core_fill_attachments(w->agent, o);
	if (backend_unreachable(o->attachments_errno))
		w->unreachable = o->attachments_errno;
}

static int list_visit(const struct catalog_object *row, void *arg)
{
	struct list_walk *w = arg;
	struct core_object o = { .row = *row };

	core_attachment(w->agent, &o);
	walk_attachments(w, &o);
	return w->fn(&o, w->arg);
}

/* The stores of one region that a shared backend holds, by id. */
struct store_sync {
	struct op_ctx *ctx;
	char (*seen)[32];		/* ids of the region's stores */
	size_t n_seen, cap;
};

static int learn_store(const struct backend_ref *ref,
		       const struct disk_header *h, void *arg)
{
	struct store_sync *s = arg;
	struct catalog_object row;
	void *grown;

	if (strcmp(ref->region, s->ctx->region))
		return 0;
	if (s->n_seen == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		grown = realloc(s->seen, s->cap * sizeof(*s->seen));
		if (!grown)
			return -ENOMEM;
		s->seen = grown;
	}
	snprintf(s->seen[s->n_seen++], sizeof(*s->seen), "%s", ref->id);
	if (catalog_get(s->ctx->agent->catalog, ref->region, ref->id, &row) != -ENOENT)
		return 0;
	core_row_from_header(core_backend(s->ctx), &row, h);
	if (catalog_put(s->ctx->agent->catalog, &row) == 0)
		log_info("%s: learnt from the %s backend (made by another host)",
			 ref->id, core_backend(s->ctx)->name);
	return 0;
}

static int forget_gone(const struct catalog_object *row, void *arg)
{
	struct store_sync *s = arg;

	if (row->attached)		/* here: the kernel's word, not a listing's */
		return 0;
	for (size_t i = 0; i < s->n_seen; i++)
		if (!strcmp(s->seen[i], row->id))
			return 0;
	if (catalog_delete(s->ctx->agent->catalog, row->id) == 0)
		log_info("%s: its store is gone from the %s backend (deleted by another host)",
			 row->id, core_backend(s->ctx)->name);
	return 0;
}

/*
 * With storage that several hosts share, the storage is the truth: a
 * listing first learns the stores that other hosts made and forgets those
 * they deleted.  Returns the backend's error when it could not list.
 */
static int sync_with_shared_store(struct op_ctx *ctx)
{
	struct store_sync s = { .ctx = ctx };
	int r;

	r = core_backend(ctx)->list(learn_store, &s);
	if (r >= 0) {
		catalog_list(ctx->agent->catalog, CATALOG_DISK, ctx->region,
			     forget_gone, &s);
		catalog_list(ctx->agent->catalog, CATALOG_SNAPSHOT, ctx->region,
			     forget_gone, &s);
	}
	free(s.seen);
	return r < 0 ? r : 0;
}

int core_list(struct op_ctx *ctx, enum catalog_kind kind, core_visit_fn fn,
	      void *arg)
{
	struct list_walk w = { fn, arg, ctx->agent, 0 };
	int r;

	if (core_backend(ctx)->shared_by_hosts) {
		r = sync_with_shared_store(ctx);
		if (backend_unreachable(r))
			w.unreachable = r;
		else if (r < 0)
			log_warn("listing the %s backend's stores failed: %s",
				 core_backend(ctx)->name, strerror(-r));
	}
	r = catalog_list(ctx->agent->catalog, kind, ctx->region, list_visit, &w);
	return r < 0 ? op_fail(ctx, r, "catalog listing failed") : r;
}

/*
 * Record the store just made for @h; on failure a new store is removed
 * again (a rewritten one stays: its header is the truth).
 */
int core_record(struct op_ctx *ctx, const struct disk_header *h,
		enum backend_copy how, bool is_new, struct core_object *out)
{
	struct backend_ref ref = { .region = h->region, .id = h->object_id };
	int r;

	memset(out, 0, sizeof(*out));
	core_row_from_header(core_backend(ctx), &out->row, h);
	snprintf(out->row.copy_method, sizeof(out->row.copy_method), "%s",
		 backend_copy_name(how));
	r = catalog_put(ctx->agent->catalog, &out->row);
	if (r < 0) {
		if (is_new)
			core_backend(ctx)->remove(&ref);
		return op_fail(ctx, r, "cannot record %s in the catalog",
			       h->object_id);
	}
	core_attachment(ctx->agent, out);
	core_fill_attachments(ctx->agent, out);
	return 0;
}

/* 0 if @category may be encrypted (when asked), else fail in words. */
static int check_category(struct op_ctx *ctx, const char *category,
			  int encrypted)
{
	const struct disk_category *c;
	char names[256];

	disk_category_list(names, sizeof(names), false);
	if (!category || !*category)
		return op_fail_code(ctx, -EINVAL, ECS_ERR_MISSING_PARAMETER,
				    "a disk category is required (%s)", names);
	c = disk_category_find(category);
	if (!c)
		return op_fail_code(ctx, -EINVAL, ECS_ERR_CATEGORY_NOT_SUPPORTED,
				    "unknown disk category %s (%s)", category, names);
	if (encrypted && !c->encryptable) {
		disk_category_list(names, sizeof(names), true);
		return op_fail_code(ctx, -EOPNOTSUPP, ECS_ERR_ENCRYPTED_NOT_SUPPORTED,
				    "%s disks cannot be encrypted: only %s can; ESSD and local disks cannot",
				    category, names);
	}
	return 0;
}

/* The header of a disk made from snapshot @snap; its header in @sh. */
static int from_snapshot(struct op_ctx *ctx, const struct core_new_disk *req,
			 struct disk_header *h, const struct core_object *snap,
			 struct disk_header *sh)
{
	int r;

	r = core_read_header(ctx, &snap->row, sh);
	if (r < 0)
		return r;
	if (req->encrypted && !snap->row.encrypted)
		return op_fail_code(ctx, -EOPNOTSUPP, ECS_ERR_ENCRYPTION_CONVERSION,
			"snapshot %s is not encrypted and a disk made from it cannot be encrypted directly: create an encrypted disk and copy onto it (ecsenc-ctl copy-disk SRC DST)",
			snap->row.id);
	if (req->kms_key_id && strcmp(req->kms_key_id, sh->kms_key_id))
		return op_fail_code(ctx, -EOPNOTSUPP, ECS_ERR_OPERATION_DENIED,
			"a disk made from snapshot %s keeps its data key under %s; to change the key, copy onto a new disk (ecsenc-ctl copy-disk)",
			snap->row.id, sh->kms_key_id[0] ? sh->kms_key_id : "no key");
	if (!h->data_size)
		h->data_size = sh->data_size;
	if (!h->category[0])
		memcpy(h->category, sh->category, sizeof(h->category));
	if (h->data_size < sh->data_size)
		return op_fail_code(ctx, -EINVAL, ECS_ERR_DISK_SIZE_TOO_SMALL,
			"a disk made from snapshot %s needs at least %llu bytes",
			snap->row.id, (unsigned long long)sh->data_size);
	if (sh->data_offset != h->data_offset)
		return op_fail(ctx, -EPROTONOSUPPORT, "snapshot %s has an unexpected data offset",
			       snap->row.id);
	r = check_category(ctx, h->category, snap->row.encrypted);
	if (r < 0)
		return r;
	if (snap->row.encrypted) {
		r = agent_kms_check_data_key(ctx, sh->kms_key_id);
		if (r < 0)
			return r;
	}
	/* Same data key, same lineage: the disk continues the snapshot's. */
	core_header_inherit_key(h, sh);
	snprintf(h->source_id, sizeof(h->source_id), "%s", snap->row.id);
	return 0;
}

static int store_failed(struct op_ctx *ctx, int r, const struct disk_header *h,
			const char *what)
{
	if (r == -ENOSPC)
		return op_fail(ctx, r, "a %llu-byte disk does not fit in the %llu bytes free on this host",
			       (unsigned long long)h->data_size,
			       (unsigned long long)core_backend(ctx)->space(h->region));
	return op_fail(ctx, r, "cannot %s %s: %s", what, h->object_id,
		       BACKEND_STRERROR(core_backend(ctx), r));
}

int core_create_disk(struct op_ctx *ctx, const struct core_new_disk *req,
		     struct core_object *out)
{
	struct core_object snap;
	struct disk_header h, sh;
	enum backend_copy how = BACKEND_COPY_NONE;
	struct backend_ref src;
	int r;

	if (req->kms_key_id && !req->encrypted && !req->snapshot_id)
		return op_fail_code(ctx, -EINVAL, ECS_ERR_ENCRYPTED_ILLEGAL,
				    "--kms-key-id needs --encrypted");
	core_header_init(&h, ctx->region, req->category ? req->category : "",
		    req->size);
	r = core_object_id(ctx, "d", h.object_id, sizeof(h.object_id));
	if (r < 0)
		return ctx->error[0] ? r : op_fail(ctx, r, "no randomness for a disk id");

	if (req->snapshot_id) {
		r = core_get(ctx, CATALOG_SNAPSHOT, req->snapshot_id, &snap);
		if (r == 0)
			r = from_snapshot(ctx, req, &h, &snap, &sh);
		if (r < 0)
			return r;
		core_ref_of(&snap.row, &src);
		r = core_backend(ctx)->clone(&src, &h, &how);
	} else {
		if (!req->size)
			return op_fail_code(ctx, -EINVAL, ECS_ERR_MISSING_PARAMETER,
					    "a new disk needs a size");
		r = check_category(ctx, req->category, req->encrypted);
		if (r < 0)
			return r;
		h.flags = req->encrypted ? DISK_HEADER_F_ENCRYPTED : 0;
		r = core_header_new_key(ctx, &h, req->kms_key_id ? req->kms_key_id :
					    KMS_SERVICE_KEY_ALIAS);
		if (r < 0)
			return r;
		r = core_backend(ctx)->create(&h);
	}
	if (r < 0)
		return store_failed(ctx, r, &h, "create the backing store of");
	return core_record(ctx, &h, how, true, out);
}

int core_attach(struct op_ctx *ctx, const char *disk_id, int force,
		struct core_object *out)
{
	int r;

	r = core_get(ctx, CATALOG_DISK, disk_id, out);
	if (r < 0)
		return r;
	if (!out->attached) {
		r = core_map(ctx, out, force);
		if (r < 0)
			return r;
	} else if (out->n_attachments && !core_held_here(ctx->agent, out)) {
		return op_fail_code(ctx, -EBUSY, ECS_ERR_INCORRECT_DISK_STATUS,
				    "disk %s is held by %s, not by this host: its device here (%s) is stale, fenced by the takeover; detach-disk %s removes it",
				    disk_id, out->attachments[0].instance, out->device,
				    disk_id);
	} else if (!out->device[0]) {
		return op_fail(ctx, -ENODEV, "no device node for %s", disk_id);
	}
	catalog_set_attached(ctx->agent->catalog, out->row.id, 1);
	out->row.attached = 1;
	core_fill_attachments(ctx->agent, out);
	log_info("attached %s at %s", out->row.id, out->device);
	return 0;
}

int core_detach(struct op_ctx *ctx, const char *disk_id,
		struct core_object *out)
{
	struct backend_ref ref;
	int r, was_attached;
	char dm[64];

	r = core_get(ctx, CATALOG_DISK, disk_id, out);
	if (r < 0)
		return r;
	core_dm_name(ctx->agent, out->row.id, dm, sizeof(dm));
	r = core_attachment(ctx->agent, out);
	if (r < 0)
		return op_fail(ctx, r, "cannot ask device-mapper about %s: %s",
			       dm, strerror(-r));
	/* A detach whose release failed is finished by the next one. */
	if (!out->attached && !core_held_here(ctx->agent, out) &&
	    !out->attachments_errno) {
		catalog_set_attached(ctx->agent->catalog, out->row.id, 0);
		return op_fail_code(ctx, -EALREADY, ECS_ERR_DISK_ALREADY_DETACHED,
				    "disk %s is not attached", out->row.id);
	}
	was_attached = out->attached;
	if (was_attached) {
		r = devmap_remove(dm);
		if (r < 0)
			return op_fail(ctx, r == -EIO ? -EBUSY : r,
				       "cannot detach %s: the device is in use (mounted or open?)",
				       out->row.id);
	}
	catalog_set_attached(ctx->agent->catalog, out->row.id, 0);
	out->row.attached = 0;
	core_attachment(ctx->agent, out);
	core_ref_of(&out->row, &ref);
	r = core_backend(ctx)->unmap(&ref);
	if (r < 0)
		return op_fail(ctx, r,
			       "disk %s: %s, but the %s backend cannot release its store: %s; detach-disk %s again releases it",
			       out->row.id, was_attached ? "its device is gone from this host" :
			       "it has no device on this host", core_backend(ctx)->name,
			       BACKEND_STRERROR(core_backend(ctx), r), out->row.id);
	core_fill_attachments(ctx->agent, out);
	log_info("detached %s", out->row.id);
	return 0;
}

int core_snapshot(struct op_ctx *ctx, const char *disk_id,
		  struct core_object *out)
{
	struct core_object disk;
	struct disk_header h;
	enum backend_copy how;
	struct backend_ref ref;
	char dm[64];
	int r;

	r = core_get(ctx, CATALOG_DISK, disk_id, &disk);
	if (r == 0)
		r = core_read_header(ctx, &disk.row, &h);
	if (r < 0)
		return r;
	if (disk.row.encrypted) {
		r = agent_kms_check_data_key(ctx, h.kms_key_id);
		if (r < 0)
			return r;
	}
	h.flags |= DISK_HEADER_F_SNAPSHOT;
	h.seqno = 0;
	h.created = (uint64_t)time(NULL);
	snprintf(h.source_id, sizeof(h.source_id), "%s", disk.row.id);
	r = core_object_id(ctx, "s", h.object_id, sizeof(h.object_id));
	if (r < 0)
		return ctx->error[0] ? r : op_fail(ctx, r, "cannot name the snapshot");

	/* An attached disk is suspended (I/O flushed, held) while copied. */
	core_dm_name(ctx->agent, disk.row.id, dm, sizeof(dm));
	if (disk.attached) {
		r = devmap_suspend(dm);
		if (r < 0)
			return op_fail(ctx, r, "cannot suspend %s for a consistent snapshot",
				       disk.row.id);
	}
	core_ref_of(&disk.row, &ref);
	r = core_backend(ctx)->snapshot(&ref, &h, &how);
	if (disk.attached && devmap_resume(dm) < 0)
		log_err("resuming %s after the snapshot failed", disk.row.id);
	if (r < 0)
		return op_fail(ctx, r, "cannot write snapshot %s: %s",
			       h.object_id, BACKEND_STRERROR(core_backend(ctx), r));
	return core_record(ctx, &h, how, true, out);
}

static int require_detached(struct op_ctx *ctx, const struct core_object *d,
			    const char *what)
{
	if (d->attachments_errno)
		return op_fail_code(ctx, d->attachments_errno,
				    ECS_ERR_SERVICE_UNAVAILABLE,
				    "disk %s: cannot tell whether another host has it attached: %s; not %s until that is known",
			       d->row.id, d->attachments_error, what);
	if (d->attached)
		return op_fail_code(ctx, -EBUSY, ECS_ERR_INCORRECT_DISK_STATUS,
				    "disk %s is attached; detach it before %s",
				    d->row.id, what);
	if (d->n_attachments)
		return op_fail_code(ctx, -EBUSY, ECS_ERR_INCORRECT_DISK_STATUS,
				    "disk %s is attached on %s; detach it there before %s",
				    d->row.id, d->attachments[0].instance, what);
	return 0;
}

/* Rewrite @disk's store with @snap's data, key and lineage. */
static int restore_from(struct op_ctx *ctx, const struct core_object *disk,
			struct disk_header *dh, const struct core_object *snap,
			enum backend_copy *how)
{
	struct disk_header sh;
	struct backend_ref ref;
	int r;

	r = core_read_header(ctx, &snap->row, &sh);
	if (r < 0)
		return r;
	if (snap->row.encrypted) {
		r = agent_kms_check_data_key(ctx, sh.kms_key_id);
		if (r < 0)
			return r;
	}
	if (sh.data_size > dh->data_size || sh.data_offset != dh->data_offset)
		return op_fail(ctx, -EINVAL, "snapshot %s does not fit disk %s",
			       snap->row.id, disk->row.id);
	core_header_inherit_key(dh, &sh);
	core_ref_of(&snap->row, &ref);
	r = core_backend(ctx)->rollback(&ref, dh, how);
	return r < 0 ? store_failed(ctx, r, dh, "rewrite") : 0;
}

int core_reset(struct op_ctx *ctx, const char *disk_id,
	       const char *snapshot_id, struct core_object *out)
{
	struct core_object disk, snap;
	enum backend_copy how;
	struct disk_header h;
	int r;

	r = core_get(ctx, CATALOG_DISK, disk_id, &disk);
	if (!r)
		r = core_get(ctx, CATALOG_SNAPSHOT, snapshot_id, &snap);
	if (!r)
		r = require_detached(ctx, &disk, "resetting it");
	if (r < 0)
		return r;
	if (strcmp(snap.row.source_id, disk.row.id))
		return op_fail_code(ctx, -EINVAL, ECS_ERR_OPERATION_DENIED,
			"snapshot %s was taken of disk %s, not of %s; make a new disk from it instead (create-disk --snapshot-id %s)",
			snap.row.id, snap.row.source_id, disk.row.id, snap.row.id);
	r = core_read_header(ctx, &disk.row, &h);
	if (!r)
		r = restore_from(ctx, &disk, &h, &snap, &how);
	return r < 0 ? r : core_record(ctx, &h, how, false, out);
}

int core_reinit(struct op_ctx *ctx, const char *disk_id,
		struct core_object *out)
{
	enum backend_copy how = BACKEND_COPY_NONE;
	struct core_object disk, snap;
	struct disk_header h;
	int r;

	r = core_get(ctx, CATALOG_DISK, disk_id, &disk);
	if (!r)
		r = require_detached(ctx, &disk, "re-initialising it");
	if (!r)
		r = core_read_header(ctx, &disk.row, &h);
	if (r < 0)
		return r;
	if (h.source_id[0]) {
		/* Made from a snapshot: back to that snapshot's content. */
		if (core_get(ctx, CATALOG_SNAPSHOT, h.source_id, &snap) < 0)
			return op_fail(ctx, -ENOENT,
				"disk %s was made from snapshot %s, which no longer exists; it cannot be re-initialised",
				disk.row.id, h.source_id);
		r = restore_from(ctx, &disk, &h, &snap, &how);
	} else {
		/*
		 * Made empty: empty again.  An encrypted disk gets a new data
		 * key under the same CMK, so the old data is gone for good
		 * even where a block was never overwritten.
		 */
		r = core_header_new_key(ctx, &h, h.kms_key_id);
		if (r == 0) {
			r = core_backend(ctx)->recreate(&h);
			if (r < 0)
				r = store_failed(ctx, r, &h, "rewrite");
		}
	}
	return r < 0 ? r : core_record(ctx, &h, how, false, out);
}

struct made_from {
	const char *snapshot_id;
	char first[32];			/* one disk made from it */
	int n;
};

static int count_made_from(const struct catalog_object *o, void *arg)
{
	struct made_from *m = arg;

	if (strcmp(o->source_id, m->snapshot_id))
		return 0;
	if (!m->n++)
		snprintf(m->first, sizeof(m->first), "%s", o->id);
	return 0;
}

/*
 * ECS's rule, whatever the backend: a snapshot that disks were made from
 * is not deleted (SnapshotCreatedDisk).  The backend adds what its storage
 * itself depends on (an RBD clone's parent snapshot), which the catalog of
 * this host may not know.
 */
static int snapshot_deletable(struct op_ctx *ctx, const struct core_object *snap,
			      int force)
{
	struct made_from m = { .snapshot_id = snap->row.id };
	struct backend_ref ref;
	char why[128];
	int r;

	r = catalog_list(ctx->agent->catalog, CATALOG_DISK, snap->row.region,
			 count_made_from, &m);
	if (r < 0)
		return op_fail(ctx, r, "catalog listing failed");
	/* Force (ECS's DeleteSnapshot Force=true): the disks are copies. */
	if (m.n && !force)
		return op_fail_code(ctx, -EBUSY, ECS_ERR_SNAPSHOT_CREATED_DISK,
				    "snapshot %s cannot be deleted: %d disk%s %s made from it (%s%s); delete those disks first",
				    snap->row.id, m.n, m.n == 1 ? "" : "s",
				    m.n == 1 ? "was" : "were", m.first,
				    m.n > 1 ? ", …" : "");
	core_ref_of(&snap->row, &ref);
	if (core_backend(ctx)->in_use &&
	    core_backend(ctx)->in_use(&ref, why, sizeof(why)) > 0)
		return op_fail_code(ctx, -EBUSY, ECS_ERR_SNAPSHOT_CREATED_DISK,
				    "snapshot %s cannot be deleted: %s; delete those disks first",
				    snap->row.id, why);
	return 0;
}

int core_delete(struct op_ctx *ctx, enum catalog_kind kind, const char *id,
		int force, struct core_object *out)
{
	struct backend_ref ref;
	int r;

	r = core_get(ctx, kind, id, out);
	if (r < 0)
		return r;
	r = kind == CATALOG_DISK ? require_detached(ctx, out, "deleting it") :
				   snapshot_deletable(ctx, out, force);
	if (r < 0)
		return r;
	core_ref_of(&out->row, &ref);
	/*
	 * The row first: a crash between the two leaves a store, which
	 * reconciliation puts back in the catalog, never a dangling row.
	 * A store that cannot be removed gets its row back, so that the
	 * disk is still listed and the delete can be repeated.
	 */
	r = catalog_delete(ctx->agent->catalog, out->row.id);
	if (r < 0)
		return op_fail(ctx, r, "catalog update failed");
	r = core_backend(ctx)->remove(&ref);
	if (r < 0) {
		if (catalog_put(ctx->agent->catalog, &out->row) < 0)
			log_err("%s: its store stays, but its catalog row could not be put back; rebuild-catalog restores it",
				out->row.id);
		return op_fail(ctx, r, "cannot remove %s: %s; %s is kept, delete it again",
			       out->row.path, BACKEND_STRERROR(core_backend(ctx), r),
			       out->row.id);
	}
	return 0;
}
