/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the rbd backend share (private to the plugin, whose
 * symbols are hidden): the cluster, the image primitives (rbd_image.c),
 * the store operations (rbd_store.c), the walks over the pool
 * (rbd_scan.c) and the attach calls (rbd_attach.c).
 */
#ifndef ECSENC_RBD_BACKEND_H
#define ECSENC_RBD_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include <rbd/librbd.h>

#include "backend.h"

#include "rbd_cluster.h"

#define BASE_SNAP		"base"	/* a snapshot store's clone source */
#define MAX_SNAPS		256

extern struct rbd_cluster rbd_cl;
extern char rbd_instance[64];	/* this host's InstanceId */
extern char rbd_maps_dir[512];	/* this host's notes of its mappings */

/*
 * The value of @call, an int expression over rbd_cl, run with the
 * cluster's handle held; when it failed because the handle lost its
 * cluster, run once more on a new handle (or the reconnect's error).
 * @call may run twice: it must be safe to repeat.
 */
#define RBD_RETRY(call) ({						\
	struct rbd_session rbd_s_;					\
	int rbd_r_, rbd_tries_ = 0;					\
									\
	do {								\
		rbd_r_ = rbd_cluster_enter(&rbd_cl, &rbd_s_);		\
		if (rbd_r_ < 0)						\
			break;						\
		rbd_r_ = (call);					\
		rbd_cluster_leave(&rbd_cl);				\
	} while (rbd_tries_++ == 0 && rbd_cluster_lost(rbd_r_) &&	\
		 (rbd_r_ = rbd_cluster_reconnect(&rbd_cl, &rbd_s_,	\
						 rbd_r_)) == 0);	\
	rbd_r_;								\
})

/* rbd_image.c: "<region>.<id><suffix>", a store's image name. */
int image_name(const char *region, const char *id, const char *suffix,
	       char *buf, size_t len);
int ref_name(const struct backend_ref *ref, char *buf, size_t len);
/* A store's name back into its parts: 1, or 0 if it is not one. */
int parse_name(const char *name, char *region, size_t rlen, char *id,
	       size_t ilen);
int has_suffix(const char *s, const char *suffix);
int open_image(const char *name, rbd_image_t *img);
int open_ref(const struct backend_ref *ref, rbd_image_t *img);

/* rbd_image.c: the header over an image, and images. */
int header_rewrite(rbd_image_t img, struct disk_header *h);
int header_write(rbd_image_t img, const struct disk_header *hdr);
int read_named_header(const char *name, struct disk_header *h);
int create_image(const char *name, uint64_t size);
int clone_image(const char *parent, const char *snap, const char *child);
int image_exists(const char *name);
int snap_children(rbd_image_t img, const char *snap);
int drop_snap(rbd_image_t img, const char *snap);
int remove_image(const char *name);
int publish(const char *tmp, const char *final);
int write_into(const char *name, const struct disk_header *h);

/* rbd_store.c: the store calls of backend_ops, run inside RBD_RETRY. */
int create_store(const struct disk_header *h);
int recreate_store(const struct disk_header *h);
int remove_store(const struct backend_ref *ref);
int store_in_use(const struct backend_ref *ref, char *why, size_t len);
int resize_store(const struct backend_ref *ref, uint64_t data_size);
int read_store_header(const struct backend_ref *ref, struct disk_header *h);
int write_store_header(const struct backend_ref *ref, struct disk_header *h);
int snapshot_store(const struct backend_ref *disk,
		   const struct disk_header *snap, enum backend_copy *how);
int clone_store(const struct backend_ref *snap,
		const struct disk_header *disk, enum backend_copy *how);
int rollback_store(const struct backend_ref *snap,
		   const struct disk_header *h, enum backend_copy *how);

/* rbd_scan.c: the walks over the pool (each takes the cluster itself). */
int rbd_be_list(backend_list_fn fn, void *arg);
int rbd_be_clean_partial(void);

/* rbd_host.c: the agent's services (log_msg() goes to its log). */
int rbd_host_set(const struct backend_host *host, char *err, size_t err_len);

/* rbd_attach.c: the attach calls of backend_ops. */
int rbd_attach_open(const struct backend_ref *ref, struct backend_attach *att,
		    struct backend_dev *dev);
void rbd_attach_close(struct backend_dev *dev);
int rbd_attach_unmap(const struct backend_ref *ref);
int rbd_attach_list(const struct backend_ref *ref,
		    struct backend_attachment *out, int max);

#endif
