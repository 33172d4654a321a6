// SPDX-License-Identifier: GPL-2.0
/*
 * The Ceph RBD backend's operations table and its one entry point,
 * backend_rbd_init(), which the agent finds with dlsym (backend_plugin.c);
 * every other symbol of the plugin is hidden.
 *
 *   stores     rbd_store.c, over the image primitives of rbd_image.c
 *   listing    rbd_scan.c (and the clean-up of half-made stores)
 *   attach     rbd_attach.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "backend.h"
#include "log.h"
#include "rbd_backend.h"
#include "rbd_cluster.h"

struct rbd_cluster rbd_cl;		/* rbd_backend.h */
char rbd_instance[64];
char rbd_maps_dir[512];

static uint64_t rbd_be_space(const char *region)
{
	unsigned long long bytes = UINT64_MAX;

	return RBD_RETRY(rbd_cluster_free(&rbd_cl, &bytes)) < 0 ? UINT64_MAX : bytes;
}

/*
 * --- backend ops: each runs with the cluster held, once more on a new
 * handle when the old one lost the cluster (RBD_RETRY).
 */

static int rbd_be_create(const struct disk_header *h)
{
	return RBD_RETRY(create_store(h));
}

static int rbd_be_recreate(const struct disk_header *h)
{
	return RBD_RETRY(recreate_store(h));
}

static int rbd_be_remove(const struct backend_ref *ref)
{
	return RBD_RETRY(remove_store(ref));
}

static int rbd_be_in_use(const struct backend_ref *ref, char *why, size_t len)
{
	return RBD_RETRY(store_in_use(ref, why, len));
}

static int rbd_be_resize(const struct backend_ref *ref, uint64_t data_size)
{
	return RBD_RETRY(resize_store(ref, data_size));
}

static int rbd_be_read_header(const struct backend_ref *ref,
			      struct disk_header *h, char *why, size_t why_len)
{
	return RBD_RETRY(read_store_header(ref, h));
}

static int rbd_be_write_header(const struct backend_ref *ref,
			       struct disk_header *h)
{
	return RBD_RETRY(write_store_header(ref, h));
}

static int rbd_be_snapshot(const struct backend_ref *disk,
			   const struct disk_header *snap, enum backend_copy *how)
{
	return RBD_RETRY(snapshot_store(disk, snap, how));
}

static int rbd_be_clone(const struct backend_ref *snap,
			const struct disk_header *disk, enum backend_copy *how)
{
	return RBD_RETRY(clone_store(snap, disk, how));
}

static int rbd_be_rollback(const struct backend_ref *snap,
			   const struct disk_header *h, enum backend_copy *how)
{
	return RBD_RETRY(rollback_store(snap, h, how));
}

static int rbd_be_locate(const struct backend_ref *ref, char *buf, size_t len)
{
	char name[300];
	int r = ref_name(ref, name, sizeof(name));

	if (r == 0 && (size_t)snprintf(buf, len, "rbd:%s/%s", rbd_cl.pool, name) >= len)
		r = -ENAMETOOLONG;
	return r;
}

/* An error of a lost cluster says so, and which. */
static const char *rbd_be_error_text(int err, char *buf, size_t len)
{
	if (!rbd_cluster_lost(err))
		return strerror(-err);
	snprintf(buf, len, "Ceph cluster unreachable (rbd pool %s): %s",
		 rbd_cl.pool, strerror(-err));
	return buf;
}

static const struct backend_ops rbd_ops = {
	.name = "rbd",
	.create = rbd_be_create,
	.recreate = rbd_be_recreate,
	.remove = rbd_be_remove,
	.in_use = rbd_be_in_use,
	.resize = rbd_be_resize,
	.read_header = rbd_be_read_header,
	.write_header = rbd_be_write_header,
	.snapshot = rbd_be_snapshot,
	.clone = rbd_be_clone,
	.rollback = rbd_be_rollback,
	.list = rbd_be_list,
	.clean_partial = rbd_be_clean_partial,
	.open = rbd_attach_open,
	.close = rbd_attach_close,
	.unmap = rbd_attach_unmap,
	.attachments = rbd_attach_list,
	.space = rbd_be_space,
	.locate = rbd_be_locate,
	.error_text = rbd_be_error_text,
	.shared_by_hosts = 1,
};

/* The plugin's one exported symbol (BACKEND_RBD_INIT_SYMBOL). */
BACKEND_PLUGIN_EXPORT
const struct backend_ops *backend_rbd_init(const struct backend_host *host,
					   const struct backend_rbd_config *cfg,
					   char *err, size_t err_len)
{
	int r;

	if (rbd_host_set(host, err, err_len) < 0)
		return NULL;
	snprintf(rbd_instance, sizeof(rbd_instance), "%s", cfg->instance_id);
	snprintf(rbd_maps_dir, sizeof(rbd_maps_dir), "%s/rbd-maps", cfg->state_dir);
	if (mkdir(rbd_maps_dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, err_len, "%s: %s", rbd_maps_dir, strerror(errno));
		return NULL;
	}
	r = rbd_cluster_connect(&rbd_cl, cfg->conf_file,
				cfg->ceph_id ? cfg->ceph_id : "admin", cfg->pool,
				err, err_len);
	if (r < 0)
		return NULL;
	log_info("rbd backend: pool %s, monitors %s, this host is %s", rbd_cl.pool,
		 rbd_cl.mons, rbd_instance);
	return &rbd_ops;
}
