// SPDX-License-Identifier: GPL-2.0
/*
 * The attachment layer of the core (core_internal.h): whether and where a
 * disk is attached, from device-mapper and the backend, and mapping a
 * disk.  Mapping is the only place where a plaintext data key exists in
 * userspace, for the time between the KMS answer and the table load, in
 * locked memory that is wiped on every path.  Re-attach at start maps
 * disks in parallel through the same path.  Below it: the store layer
 * (core_header.c), the backend, the KMS and the kernel.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "core_internal.h"
#include "disk_category.h"
#include "kernel.h"
#include "agent_kms.h"
#include "log.h"
#include "object_lock.h"
#include "secmem.h"

void core_dm_name(const struct agent *a, const char *disk_id, char *buf,
		  size_t len)
{
	snprintf(buf, len, "%s-%s", a->dm_prefix, disk_id);
}

int core_attachment(const struct agent *a, struct core_object *o)
{
	char dm[64];
	int r;

	o->attached = 0;
	o->device[0] = '\0';
	if (o->row.kind != CATALOG_DISK)
		return 0;
	core_dm_name(a, o->row.id, dm, sizeof(dm));
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
void core_attachments_unknown(const struct agent *a, struct core_object *o,
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
void core_fill_attachments(const struct agent *a, struct core_object *o)
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
		core_attachments_unknown(a, o, n);
		log_warn("%s: cannot read its attachments from the %s backend: %s",
			 o->row.id, be->name, o->attachments_error);
		return;
	}
	o->n_attachments = n;
	o->in_use = o->attached || n > 0;
}

/* Whether the backend says that this host holds @o. */
int core_held_here(const struct agent *a, const struct core_object *o)
{
	for (int i = 0; i < o->n_attachments; i++)
		if (!strcmp(o->attachments[i].instance, a->instance_id))
			return 1;
	return 0;
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
	core_row_from_header(a->backend, &o->row, &h);
	core_attachment(a, o);
	o->row.attached = o->attached;
	return 0;
}

static int load_table(struct op_ctx *ctx, const struct disk_header *h,
		      const char *dm, const char *dev, const unsigned char *key)
{
	char params[512], desc[64], opts[64] = "";
	uint64_t sectors = h->data_size / 512;
	uint64_t offset = h->data_offset / 512;
	long serial;
	int r;

	if (!key) {
		snprintf(params, sizeof(params), "%s %llu", dev,
			 (unsigned long long)offset);
		r = devmap_create(dm, "linear", sectors, params);
		goto out;
	}
	snprintf(desc, sizeof(desc), "ecsenc:%s", h->object_id);
	serial = keyring_add_logon(desc, key, DATA_KEY_BYTES);
	if (serial < 0)
		return op_fail(ctx, (int)serial, "cannot add the key to the kernel keyring: %s",
			       strerror((int)-serial));
	if (h->sector_size != 512)
		snprintf(opts, sizeof(opts), " 1 sector_size:%u", h->sector_size);
	snprintf(params, sizeof(params), "%s :%d:logon:%s 0 %s %llu%s",
		 h->cipher, DATA_KEY_BYTES, desc, dev,
		 (unsigned long long)offset, opts);
	r = devmap_create(dm, "ecsenc", sectors, params);
	/* The target holds its own copy now (or failed): drop ours. */
	keyring_drop(serial);
out:
	if (r < 0)
		return op_fail(ctx, r, "the kernel refused the %s table of %s (%s); see dmesg",
			       key ? "ecsenc" : "linear", h->object_id, strerror(-r));
	return 0;
}

/* Milliseconds since @t, which moves on to now: the steps of an attach. */
static long step_ms(struct timespec *t)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
	*t = now;
	return ms;
}

int core_map(struct op_ctx *ctx, struct core_object *o, int force)
{
	const struct backend_ops *be = ctx->agent->backend;
	struct backend_ref ref = { .region = o->row.region, .id = o->row.id };
	struct backend_dev dev = { .handle = -1 };
	struct backend_attach att = { .force = force };
	unsigned char *key = NULL;
	const struct disk_category *category;
	struct disk_header h;
	char dm[64], node[160], why[160];
	const char *target;
	struct timespec t;
	long ms_header, ms_store, ms_kms = 0, ms_table, ms_node;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t);
	core_dm_name(ctx->agent, o->row.id, dm, sizeof(dm));
	snprintf(node, sizeof(node), "/dev/mapper/%s", dm);
	att.device = node;
	/* Shared block storage: ECS attaches it to several instances at once. */
	category = disk_category_find(o->row.category);
	att.shared = category && category->shared;
	ctx->object_id = o->row.id;
	r = core_read_header(ctx, &o->row, &h);
	if (r < 0)
		return r;
	ms_header = step_ms(&t);
	/* The kernel first: a table it cannot load costs no KMS call. */
	target = h.flags & DISK_HEADER_F_ENCRYPTED ? "ecsenc" : "linear";
	r = devmap_probe(target, why, sizeof(why));
	if (r < 0)
		return op_fail_code(ctx, r, ECS_ERR_DEVICE_MAPPER_UNAVAILABLE,
				    "cannot attach %s: %s", o->row.id, why);
	/* The store next: a disk another host holds costs no KMS call. */
	r = be->open(&ref, &att, &dev);
	if (r == -EBUSY)
		return op_fail_code(ctx, r, ECS_ERR_INCORRECT_DISK_STATUS,
				    "disk %s %s; detach it there first, or take it with attach-disk --force if that host is gone (this fences it)",
				    o->row.id, att.why[0] ? att.why : "is held by another host");
	if (r < 0)
		return op_fail(ctx, r, "no block device for %s: %s", o->row.path,
			       BACKEND_STRERROR(be, r));
	ms_store = step_ms(&t);
	if (h.flags & DISK_HEADER_F_ENCRYPTED) {
		r = agent_kms_unwrap(ctx, h.kms_key_id, h.wrapped_key,
				     h.encryption_context, &key);
		ms_kms = step_ms(&t);
	}
	if (r == 0)
		r = load_table(ctx, &h, dm, dev.path, key);
	secmem_free(key);
	ms_table = step_ms(&t);
	if (r == 0) {
		core_attachment(ctx->agent, o);
		if (!o->attached || !o->device[0])
			r = op_fail(ctx, -ENODEV, "no device node for %s", dm);
	}
	ms_node = step_ms(&t);
	log_debug("%s: attach: header %ld ms, store %ld ms, KMS %ld ms, table %ld ms, node %ld ms",
		  o->row.id, ms_header, ms_store, ms_kms, ms_table, ms_node);
	be->close(&dev);
	if (r < 0 && be->unmap(&ref) < 0)
		log_err("%s: cannot release the store after the failed attach",
			o->row.id);
	return r;
}

/*
 * Re-attach at start: one thread per disk, at most REATTACH_PARALLEL at
 * once, each holding its disk's lock as a request would.  The caller
 * waits until all are done or its budget is spent; what is still running
 * then goes on in the background (requests for those disks wait for it).
 */
#define REATTACH_PARALLEL	16
#define REATTACH_STACK		(512 * 1024)

static pthread_mutex_t reattach_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reattach_cv = PTHREAD_COND_INITIALIZER;
static int reattach_running;

struct reattach_job {
	struct agent *agent;
	struct core_object disk;
};

static void *reattach_thread(void *arg)
{
	struct reattach_job *job = arg;
	const char *ids[1] = { job->disk.row.id };
	struct op_ctx ctx = {
		.agent = job->agent, .op = "AttachDisk",
		.region = job->disk.row.region,
	};

	object_lock(ids, 1);
	if (core_map(&ctx, &job->disk, 0) < 0)
		log_err("re-attaching %s failed: %s", job->disk.row.id, ctx.error);
	else
		log_info("re-attached %s at %s", job->disk.row.id,
			 job->disk.device);
	op_bill(&ctx);
	object_unlock(ids, 1);
	free(job);
	pthread_mutex_lock(&reattach_mu);
	reattach_running--;
	pthread_cond_broadcast(&reattach_cv);
	pthread_mutex_unlock(&reattach_mu);
	return NULL;
}

/* Wait while at least @n re-attaches run; 0 once @deadline passed. */
static int reattach_wait(int n, const struct timespec *deadline)
{
	int ok = 1;

	pthread_mutex_lock(&reattach_mu);
	while (reattach_running >= n && ok)
		ok = pthread_cond_timedwait(&reattach_cv, &reattach_mu,
					    deadline) != ETIMEDOUT;
	pthread_mutex_unlock(&reattach_mu);
	return ok;
}

struct reattach_walk {
	struct agent *agent;
	struct timespec deadline;
	pthread_attr_t attr;
	int started;
};

static int reattach_visit(const struct catalog_object *row, void *arg)
{
	struct reattach_walk *w = arg;
	struct reattach_job *job;
	pthread_t t;

	if (!row->attached)
		return 0;
	job = calloc(1, sizeof(*job));
	if (!job)
		return -ENOMEM;
	job->agent = w->agent;
	job->disk.row = *row;
	core_attachment(w->agent, &job->disk);
	if (job->disk.attached) {
		log_info("%s is still attached; keeping it", row->id);
		free(job);
		return 0;
	}
	if (!reattach_wait(REATTACH_PARALLEL, &w->deadline)) {
		log_err("start budget spent; %s is not re-attached", row->id);
		free(job);
		return 0;
	}
	pthread_mutex_lock(&reattach_mu);
	reattach_running++;
	pthread_mutex_unlock(&reattach_mu);
	if (pthread_create(&t, &w->attr, reattach_thread, job) != 0) {
		log_err("no thread to re-attach %s: %m", row->id);
		free(job);
		pthread_mutex_lock(&reattach_mu);
		reattach_running--;
		pthread_mutex_unlock(&reattach_mu);
		return 0;
	}
	w->started++;
	return 0;
}

int core_reattach_all(struct agent *a, long budget_ms)
{
	struct reattach_walk w = { .agent = a };
	int left;

	clock_gettime(CLOCK_REALTIME, &w.deadline);
	w.deadline.tv_sec += budget_ms / 1000;
	w.deadline.tv_nsec += (budget_ms % 1000) * 1000000L;
	if (w.deadline.tv_nsec >= 1000000000L) {
		w.deadline.tv_sec++;
		w.deadline.tv_nsec -= 1000000000L;
	}
	pthread_attr_init(&w.attr);
	pthread_attr_setdetachstate(&w.attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&w.attr, REATTACH_STACK);
	catalog_list(a->catalog, CATALOG_DISK, NULL, reattach_visit, &w);
	pthread_attr_destroy(&w.attr);
	reattach_wait(1, &w.deadline);
	pthread_mutex_lock(&reattach_mu);
	left = reattach_running;
	pthread_mutex_unlock(&reattach_mu);
	if (w.started)
		log_info("re-attach: %d disk%s, %d still under way", w.started,
			 w.started == 1 ? "" : "s", left);
	return left;
}
