// SPDX-License-Identifier: GPL-2.0
/*
 * attach-disk and detach-disk: the only place where a plaintext data key
 * exists in userspace, for the time between the KMS answer and the table
 * load, in locked memory that is wiped on every path.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include "kernel.h"
#include "kms_ops.h"
#include "log.h"
#include "object_lock.h"
#include "ops_common.h"
#include "secmem.h"
#include "store.h"

static int load_table(struct op_ctx *ctx, const struct disk_header *h,
		      const char *dm, const char *loop, const unsigned char *key)
{
	char params[512], desc[64], opts[64] = "";
	uint64_t sectors = h->data_size / 512;
	uint64_t offset = h->data_offset / 512;
	long serial;
	int r;

	if (!key) {
		snprintf(params, sizeof(params), "%s %llu", loop,
			 (unsigned long long)offset);
		r = dm_create(dm, "linear", sectors, params);
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
		 h->cipher, DATA_KEY_BYTES, desc, loop,
		 (unsigned long long)offset, opts);
	r = dm_create(dm, "ecsenc", sectors, params);
	/* The target holds its own copy now (or failed): drop ours. */
	keyring_drop(serial);
out:
	if (r < 0)
		return op_fail(ctx, r, "the kernel refused the %s table of %s (%s); is the dm-ecsenc module loaded? see dmesg",
			       key ? "ecsenc" : "linear", h->object_id, strerror(-r));
	return 0;
}

static pthread_mutex_t loop_lock = PTHREAD_MUTEX_INITIALIZER;

int attach_one(struct op_ctx *ctx, const struct catalog_object *o,
	       char *dev, size_t dev_len)
{
	unsigned char *key = NULL;
	struct disk_header h;
	char dm[64], loop[64];
	int loop_fd = -1, r;

	disk_dm_name(o->id, dm, sizeof(dm));
	r = read_object_header(ctx, o, &h);
	if (r < 0)
		return r;
	if (h.flags & DISK_HEADER_F_ENCRYPTED) {
		r = kms_ops_unwrap(ctx, h.kms_key_id, h.wrapped_key,
				   h.encryption_context, &key);
		if (r < 0)
			goto out;
	}
	/* Two binds racing for the same free loop device: one at a time. */
	pthread_mutex_lock(&loop_lock);
	loop_fd = loop_attach(o->path, loop, sizeof(loop));
	pthread_mutex_unlock(&loop_lock);
	if (loop_fd < 0) {
		r = op_fail(ctx, loop_fd, "no loop device for %s: %s", o->path,
			    strerror(-loop_fd));
		goto out;
	}
	r = load_table(ctx, &h, dm, loop, key);
	if (r < 0)
		goto out;
	r = dm_node_path(dm, dev, dev_len);
	if (r < 0)
		r = op_fail(ctx, r, "no device node for %s: %s", dm, strerror(-r));
out:
	secmem_free(key);
	/* The loop device clears itself once the dm table lets go of it. */
	if (loop_fd >= 0)
		close(loop_fd);
	return r;
}

int op_attach_disk(struct op_ctx *ctx, const struct agent_args *args,
		   struct json_object **result)
{
	struct catalog_object o;
	char dm[64], dev[128];
	int r;

	r = get_disk(ctx, args->disk_id, &o);
	if (r < 0)
		return r;
	disk_dm_name(o.id, dm, sizeof(dm));
	if (dm_exists(dm) == 1) {
		r = dm_node_path(dm, dev, sizeof(dev));
		if (r < 0)
			return op_fail(ctx, r, "no device node for %s", dm);
	} else {
		r = attach_one(ctx, &o, dev, sizeof(dev));
		if (r < 0)
			return r;
	}
	catalog_set_attached(ctx->agent->catalog, o.id, 1);
	log_info("attached %s at %s", o.id, dev);
	*result = json_object_new_object();
	json_object_object_add(*result, "DiskId", json_object_new_string(o.id));
	json_object_object_add(*result, "Device", json_object_new_string(dev));
	return 0;
}

int op_detach_disk(struct op_ctx *ctx, const struct agent_args *args,
		   struct json_object **result)
{
	struct catalog_object o;
	char dm[64];
	int r;

	r = get_disk(ctx, args->disk_id, &o);
	if (r < 0)
		return r;
	disk_dm_name(o.id, dm, sizeof(dm));
	r = dm_exists(dm);
	if (r == 0) {
		catalog_set_attached(ctx->agent->catalog, o.id, 0);
		return op_fail_code(ctx, -EALREADY, "IncorrectDiskStatus",
				    "disk %s is not attached", o.id);
	}
	if (r < 0)
		return op_fail(ctx, r, "cannot ask device-mapper about %s: %s",
			       dm, strerror(-r));
	r = dm_remove(dm);
	if (r < 0)
		return op_fail(ctx, r == -EIO ? -EBUSY : r,
			"cannot detach %s: the device is in use (mounted or open?)", o.id);
	catalog_set_attached(ctx->agent->catalog, o.id, 0);
	log_info("detached %s", o.id);
	*result = json_object_new_object();
	json_object_object_add(*result, "DiskId", json_object_new_string(o.id));
	return 0;
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
	struct catalog_object disk;
};

static void *reattach_thread(void *arg)
{
	struct reattach_job *job = arg;
	const char *ids[1] = { job->disk.id };
	struct op_ctx ctx = {
		.agent = job->agent, .op = "AttachDisk",
		.region = job->disk.region,
	};
	char dev[128];

	object_lock(ids, 1);
	if (attach_one(&ctx, &job->disk, dev, sizeof(dev)) < 0)
		log_err("re-attaching %s failed: %s", job->disk.id, ctx.error);
	else
		log_info("re-attached %s at %s", job->disk.id, dev);
	op_bill(&ctx);
	object_unlock(ids, 1);
	free(job);
	pthread_mutex_lock(&reattach_mu);
	reattach_running--;
	pthread_cond_broadcast(&reattach_cv);
	pthread_mutex_unlock(&reattach_mu);
	return NULL;
}

/* Wait while at least @n re-attaches run; false once @deadline passed. */
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

static int reattach_visit(const struct catalog_object *o, void *arg)
{
	struct reattach_walk *w = arg;
	struct reattach_job *job;
	char dm[64];
	pthread_t t;

	if (!o->attached)
		return 0;
	disk_dm_name(o->id, dm, sizeof(dm));
	if (dm_exists(dm) == 1) {
		log_info("%s is still attached; keeping it", o->id);
		return 0;
	}
	if (!reattach_wait(REATTACH_PARALLEL, &w->deadline)) {
		log_err("start budget spent; %s is not re-attached", o->id);
		return 0;
	}
	job = malloc(sizeof(*job));
	if (!job)
		return -ENOMEM;
	job->agent = w->agent;
	job->disk = *o;
	pthread_mutex_lock(&reattach_mu);
	reattach_running++;
	pthread_mutex_unlock(&reattach_mu);
	if (pthread_create(&t, &w->attr, reattach_thread, job) != 0) {
		log_err("no thread to re-attach %s: %m", o->id);
		free(job);
		pthread_mutex_lock(&reattach_mu);
		reattach_running--;
		pthread_mutex_unlock(&reattach_mu);
		return 0;
	}
	w->started++;
	return 0;
}

int agent_reattach_all(struct agent *a, long budget_ms)
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
