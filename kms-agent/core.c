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
#include "core.h"
#include "disk_category.h"
#include "kernel.h"
#include "agent_kms.h"
#include "log.h"

static const struct backend_ops *backend(const struct op_ctx *ctx)
{
	return ctx->agent->backend;
}

static char dm_prefix[32] = "ecsenc";

void core_set_dm_prefix(const char *prefix)
{
	snprintf(dm_prefix, sizeof(dm_prefix), "%s", prefix);
}

const char *core_dm_prefix(void)
{
	return dm_prefix;
}

void core_dm_name(const char *disk_id, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s", dm_prefix, disk_id);
}

int core_attachment(struct core_object *o)
{
	char dm[64];
	int r;

	o->attached = 0;
	o->device[0] = '\0';
	if (o->row.kind != CATALOG_DISK)
		return 0;
	core_dm_name(o->row.id, dm, sizeof(dm));
	r = devmap_exists(dm);
	if (r != 1)
		return r;
	o->attached = 1;
	if (devmap_node_path(dm, o->device, sizeof(o->device)) < 0)
		o->device[0] = '\0';
	return 0;
}

/* This host's own dm device as @o's only attachment. */
static void own_attachment(const struct agent *a, struct core_object *o)
{
	o->n_attachments = 0;
	if (!o->attached)
		return;
	memset(&o->attachments[0], 0, sizeof(o->attachments[0]));
	snprintf(o->attachments[0].instance, sizeof(o->attachments[0].instance),
		 "%s", a->instance_id);
	snprintf(o->attachments[0].device, sizeof(o->attachments[0].device),
		 "%s", o->device);
	o->n_attachments = 1;
}

/* The backend could not say who holds @o (@err): only this host's own. */
static void attachments_unknown(const struct agent *a, struct core_object *o,
				int err)
{
	o->in_use = o->attached;
	o->attachments_errno = err;
	snprintf(o->attachments_error, sizeof(o->attachments_error), "%s",
		 BACKEND_STRERROR(a->backend, err));
	own_attachment(a, o);
}

/*
 * Which hosts hold @o: the backend's record when its stores are shared by
 * hosts, else this host's own dm device.  When the backend cannot say,
 * @o->attachments_error says why and only what this host knows is listed.
 */
static void fill_attachments(const struct agent *a, struct core_object *o)
{
	const struct backend_ops *be = a->backend;
	struct backend_ref ref = { .region = o->row.region, .id = o->row.id };
	int n;

	o->n_attachments = 0;
	o->attachments_errno = 0;
	o->attachments_error[0] = '\0';
	o->in_use = o->attached;
	if (o->row.kind != CATALOG_DISK)
		return;
	if (!be->attachments) {
		own_attachment(a, o);
		return;
	}
	n = be->attachments(&ref, o->attachments, BACKEND_MAX_ATTACHMENTS);
	if (n < 0) {
		attachments_unknown(a, o, n);
		log_warn("%s: cannot read its attachments from the %s backend: %s",
			 o->row.id, be->name, o->attachments_error);
		return;
	}
	o->n_attachments = n;
	o->in_use = o->attached || n > 0;
}

/* Whether the backend says that this host holds @o. */
static int held_here(const struct agent *a, const struct core_object *o)
{
	for (int i = 0; i < o->n_attachments; i++)
		if (!strcmp(o->attachments[i].instance, a->instance_id))
			return 1;
	return 0;
}

/* "<prefix>-" and 20 random lowercase letters and digits. */
int core_new_id(const char *prefix, char *buf, size_t len)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[20];
	size_t p;

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -EIO;
	p = (size_t)snprintf(buf, len, "%s-", prefix);
	if (p + sizeof(rnd) + 1 > len)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < sizeof(rnd); i++)
		buf[p++] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	buf[p] = '\0';
	return 0;
}

int core_object_id(struct op_ctx *ctx, const char *prefix, char *buf,
		   size_t len)
{
	size_t n = strlen(prefix);

	if (!ctx->new_id)
		return core_new_id(prefix, buf, len);
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

static bool is_id(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) || !s[n])
		return false;
	for (s += n; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static bool is_token(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

/*
 * A header with a good checksum can still name things the agent must not
 * pass on: its fields go into a dm table line, a keyring description and
 * KMS requests.  Accept only what this agent writes.
 */
static const char *header_refusal(const struct disk_header *h)
{
	bool encrypted = h->flags & DISK_HEADER_F_ENCRYPTED;

	if (!is_id(h->object_id, h->flags & DISK_HEADER_F_SNAPSHOT ? "s-" : "d-"))
		return "object id";
	if (h->source_id[0] && !is_id(h->source_id, "d-") &&
	    !is_id(h->source_id, "s-"))
		return "source id";
	if (!is_id(h->lineage_id, "l-"))
		return "lineage id";
	if (!agent_region_valid(h->region) || !is_token(h->category, "_"))
		return "region or category";
	if (strcmp(h->cipher, encrypted ? "aes-xts-plain64" : "none"))
		return "cipher";
	/* disk_header_decode() checked the sector size and offset's alignment. */
	if (h->data_offset > (1ull << 30))
		return "data offset";
	if (h->data_size < AGENT_DISK_SIZE_MIN || h->data_size > AGENT_DISK_SIZE_MAX ||
	    h->data_size % AGENT_DISK_SIZE_ALIGN)
		return "data size";
	if (encrypted && (!is_token(h->kms_key_id, "-_/:.") ||
			  !is_token(h->wrapped_key, "+/=")))
		return "KMS key id or wrapped key";
	return NULL;
}

static void ref_of(const struct catalog_object *o, struct backend_ref *ref)
{
	ref->region = o->region;
	ref->id = o->id;
}

int core_read_header(struct op_ctx *ctx, const struct catalog_object *o,
		     struct disk_header *h)
{
	struct backend_ref ref;
	const char *refused;
	int r;

	ref_of(o, &ref);
	r = backend(ctx)->read_header(&ref, h, NULL, 0);
	if (r == -EBADMSG)
		return op_fail_code(ctx, r, ECS_ERR_HEADER_DAMAGED,
				    "%s: both header copies of %s are damaged",
			       o->id, o->path);
	if (r == -ENOENT)
		return op_fail_code(ctx, r, ECS_ERR_STORE_MISSING,
				    "%s: its store %s is gone (removed outside the agent?)",
			       o->id, o->path);
	if (r < 0)
		return op_fail(ctx, r, "%s: cannot read %s: %s", o->id, o->path,
			       BACKEND_STRERROR(backend(ctx), r));
	refused = header_refusal(h);
	if (refused)
		return op_fail_code(ctx, -EPROTO, ECS_ERR_HEADER_DAMAGED,
				    "%s: %s refused: its header has a bad %s",
			       o->id, o->path, refused);
	if (strcmp(h->object_id, o->id))
		return op_fail_code(ctx, -EBADMSG, ECS_ERR_HEADER_DAMAGED,
				    "%s holds %s, not %s", o->path,
			       h->object_id, o->id);
	return 0;
}

/* The catalog row of a store, from its header. */
static void row_from_header(const struct backend_ops *be,
			    struct catalog_object *o,
			    const struct disk_header *h)
{
	struct backend_ref ref = { .region = h->region, .id = h->object_id };

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
	snprintf(o->kms_key_version, sizeof(o->kms_key_version), "%s",
		 h->kms_key_version);
	be->locate(&ref, o->path, sizeof(o->path));
	o->created = h->created;
}

int core_from_store(struct agent *a, const struct backend_ref *ref,
		    struct core_object *o)
{
	struct op_ctx ctx = { .agent = a, .region = ref->region };
	struct catalog_object probe = { 0 };
	struct disk_header h;
	int r;

	snprintf(probe.id, sizeof(probe.id), "%s", ref->id);
	snprintf(probe.region, sizeof(probe.region), "%s", ref->region);
	a->backend->locate(ref, probe.path, sizeof(probe.path));
	r = core_read_header(&ctx, &probe, &h);
	if (r < 0) {
		log_err("%s: skipped: %s", probe.path, ctx.error);
		return r;
	}
	memset(o, 0, sizeof(*o));
	row_from_header(a->backend, &o->row, &h);
	core_attachment(o);
	o->row.attached = o->attached;
	return 0;
}

static bool catalog_id_ok(const char *id, enum catalog_kind kind)
{
	return is_id(id, kind == CATALOG_DISK ? "d-" : "s-");
}

/*
 * Another host made @id: the store is the truth, and the catalog learns
 * it.  -ENOENT when there is no such store either.
 */
static int fetch_from_store(struct op_ctx *ctx, const char *id,
			    struct core_object *o)
{
	struct backend_ref ref = { .region = ctx->region, .id = id };
	struct disk_header h;
	int r;

	r = backend(ctx)->read_header(&ref, &h, NULL, 0);
	if (r < 0)
		return -ENOENT;
	r = core_from_store(ctx->agent, &ref, o);
	if (r < 0)
		return -ENOENT;
	catalog_put(ctx->agent->catalog, &o->row);
	log_info("%s: learnt from the %s backend (made by another host)", id,
		 backend(ctx)->name);
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
	if (r == -ENOENT && backend(ctx)->shared_by_hosts &&
	    catalog_id_ok(id, kind))
		r = fetch_from_store(ctx, id, o);
	if (r == -ENOENT || (r == 0 && o->row.kind != kind))
		return op_fail_code(ctx, -ENOENT, kind == CATALOG_DISK ?
				    ECS_ERR_DISK_NOT_FOUND : ECS_ERR_SNAPSHOT_NOT_FOUND,
				    "no %s %s in region %s", what, id,
			       ctx->region);
	if (r < 0)
		return op_fail(ctx, r, "catalog lookup of %s failed", id);
	core_attachment(o);
	fill_attachments(ctx->agent, o);
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
		attachments_unknown(w->agent, o, w->unreachable);
		return;
	}
	fill_attachments(w->agent, o);
	if (backend_unreachable(o->attachments_errno))
		w->unreachable = o->attachments_errno;
}

static int list_visit(const struct catalog_object *row, void *arg)
{
	struct list_walk *w = arg;
	struct core_object o = { .row = *row };

	core_attachment(&o);
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
	row_from_header(backend(s->ctx), &row, h);
	if (catalog_put(s->ctx->agent->catalog, &row) == 0)
		log_info("%s: learnt from the %s backend (made by another host)",
			 ref->id, backend(s->ctx)->name);
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
			 row->id, backend(s->ctx)->name);
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

	r = backend(ctx)->list(learn_store, &s);
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

	if (backend(ctx)->shared_by_hosts) {
		r = sync_with_shared_store(ctx);
		if (backend_unreachable(r))
			w.unreachable = r;
		else if (r < 0)
			log_warn("listing the %s backend's stores failed: %s",
				 backend(ctx)->name, strerror(-r));
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
	row_from_header(backend(ctx), &out->row, h);
	snprintf(out->row.copy_method, sizeof(out->row.copy_method), "%s",
		 backend_copy_name(how));
	r = catalog_put(ctx->agent->catalog, &out->row);
	if (r < 0) {
		if (is_new)
			backend(ctx)->remove(&ref);
		return op_fail(ctx, r, "cannot record %s in the catalog",
			       h->object_id);
	}
	core_attachment(out);
	fill_attachments(ctx->agent, out);
	return 0;
}

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

/*
 * Make @dst continue @src's lineage: same data key (wrapped), KMS key,
 * encryption context, cipher and sector size.
 */
static void header_inherit_key(struct disk_header *dst,
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
	memcpy(dst->kms_key_version, src->kms_key_version,
	       sizeof(dst->kms_key_version));
}

/* Give @h a fresh lineage and, when encrypted, a new wrapped data key. */
static int header_new_key(struct op_ctx *ctx, struct disk_header *h,
			  const char *kms_key_id)
{
	char cmk[sizeof(h->kms_key_id)];
	int r;

	r = core_new_id("l", h->lineage_id, sizeof(h->lineage_id));
	if (r < 0)
		return op_fail(ctx, r, "no randomness for a lineage id");
	if (!(h->flags & DISK_HEADER_F_ENCRYPTED))
		return 0;
	snprintf(cmk, sizeof(cmk), "%s", kms_key_id);
	ctx->object_id = h->object_id;
	snprintf(h->cipher, sizeof(h->cipher), "aes-xts-plain64");
	agent_kms_context(h->lineage_id, h->region, h->encryption_context,
			sizeof(h->encryption_context));
	return agent_kms_new_data_key(ctx, cmk, h->encryption_context,
				    h->wrapped_key, sizeof(h->wrapped_key),
				    h->kms_key_id, sizeof(h->kms_key_id),
				    h->kms_key_version, sizeof(h->kms_key_version));
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
	header_inherit_key(h, sh);
	snprintf(h->source_id, sizeof(h->source_id), "%s", snap->row.id);
	return 0;
}

static int store_failed(struct op_ctx *ctx, int r, const struct disk_header *h,
			const char *what)
{
	if (r == -ENOSPC)
		return op_fail(ctx, r, "a %llu-byte disk does not fit in the %llu bytes free under %s",
			       (unsigned long long)h->data_size,
			       (unsigned long long)backend(ctx)->space(h->region),
			       ctx->agent->state_dir);
	return op_fail(ctx, r, "cannot %s %s: %s", what, h->object_id,
		       BACKEND_STRERROR(backend(ctx), r));
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
	header_init(&h, ctx->region, req->category ? req->category : "",
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
		ref_of(&snap.row, &src);
		r = backend(ctx)->clone(&src, &h, &how);
	} else {
		if (!req->size)
			return op_fail_code(ctx, -EINVAL, ECS_ERR_MISSING_PARAMETER,
					    "a new disk needs a size");
		r = check_category(ctx, req->category, req->encrypted);
		if (r < 0)
			return r;
		h.flags = req->encrypted ? DISK_HEADER_F_ENCRYPTED : 0;
		r = header_new_key(ctx, &h, req->kms_key_id ? req->kms_key_id :
					    KMS_SERVICE_KEY_ALIAS);
		if (r < 0)
			return r;
		r = backend(ctx)->create(&h);
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
	} else if (out->n_attachments && !held_here(ctx->agent, out)) {
		return op_fail_code(ctx, -EBUSY, ECS_ERR_INCORRECT_DISK_STATUS,
				    "disk %s is held by %s, not by this host: its device here (%s) is stale, fenced by the takeover; detach-disk %s removes it",
				    disk_id, out->attachments[0].instance, out->device,
				    disk_id);
	} else if (!out->device[0]) {
		return op_fail(ctx, -ENODEV, "no device node for %s", disk_id);
	}
	catalog_set_attached(ctx->agent->catalog, out->row.id, 1);
	out->row.attached = 1;
	fill_attachments(ctx->agent, out);
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
	core_dm_name(out->row.id, dm, sizeof(dm));
	r = core_attachment(out);
	if (r < 0)
		return op_fail(ctx, r, "cannot ask device-mapper about %s: %s",
			       dm, strerror(-r));
	/* A detach whose release failed is finished by the next one. */
	if (!out->attached && !held_here(ctx->agent, out) &&
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
	core_attachment(out);
	ref_of(&out->row, &ref);
	r = backend(ctx)->unmap(&ref);
	if (r < 0)
		return op_fail(ctx, r,
			       "disk %s: %s, but the %s backend cannot release its store: %s; detach-disk %s again releases it",
			       out->row.id, was_attached ? "its device is gone from this host" :
			       "it has no device on this host", backend(ctx)->name,
			       BACKEND_STRERROR(backend(ctx), r), out->row.id);
	fill_attachments(ctx->agent, out);
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
	core_dm_name(disk.row.id, dm, sizeof(dm));
	if (disk.attached) {
		r = devmap_suspend(dm);
		if (r < 0)
			return op_fail(ctx, r, "cannot suspend %s for a consistent snapshot",
				       disk.row.id);
	}
	ref_of(&disk.row, &ref);
	r = backend(ctx)->snapshot(&ref, &h, &how);
	if (disk.attached && devmap_resume(dm) < 0)
		log_err("resuming %s after the snapshot failed", disk.row.id);
	if (r < 0)
		return op_fail(ctx, r, "cannot write snapshot %s: %s",
			       h.object_id, BACKEND_STRERROR(backend(ctx), r));
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
	header_inherit_key(dh, &sh);
	ref_of(&snap->row, &ref);
	r = backend(ctx)->rollback(&ref, dh, how);
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
		r = header_new_key(ctx, &h, h.kms_key_id);
		if (r == 0) {
			r = backend(ctx)->recreate(&h);
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
	ref_of(&snap->row, &ref);
	if (backend(ctx)->in_use &&
	    backend(ctx)->in_use(&ref, why, sizeof(why)) > 0)
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
	ref_of(&out->row, &ref);
	/*
	 * The row first: a crash between the two leaves a store, which
	 * reconciliation puts back in the catalog, never a dangling row.
	 * A store that cannot be removed gets its row back, so that the
	 * disk is still listed and the delete can be repeated.
	 */
	r = catalog_delete(ctx->agent->catalog, out->row.id);
	if (r < 0)
		return op_fail(ctx, r, "catalog update failed");
	r = backend(ctx)->remove(&ref);
	if (r < 0) {
		if (catalog_put(ctx->agent->catalog, &out->row) < 0)
			log_err("%s: its store stays, but its catalog row could not be put back; rebuild-catalog restores it",
				out->row.id);
		return op_fail(ctx, r, "cannot remove %s: %s; %s is kept, delete it again",
			       out->row.path, BACKEND_STRERROR(backend(ctx), r),
			       out->row.id);
	}
	return 0;
}
