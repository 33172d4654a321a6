/* SPDX-License-Identifier: GPL-2.0 */
/* What the files of the rbd backend share: the cluster and image names. */
#ifndef ECSENC_RBD_BACKEND_H
#define ECSENC_RBD_BACKEND_H

#include <stddef.h>

#include <rbd/librbd.h>

#include "rbd_cluster.h"

struct backend_ref;
struct backend_attach;
struct backend_attachment;
struct backend_dev;

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

/* "<region>.<id><suffix>": a store's image name. */
int image_name(const char *region, const char *id, const char *suffix,
	       char *buf, size_t len);
int ref_name(const struct backend_ref *ref, char *buf, size_t len);
int open_image(const char *name, rbd_image_t *img);
int open_ref(const struct backend_ref *ref, rbd_image_t *img);

/* rbd_attach.c: the attach calls of backend_ops. */
int rbd_attach_open(const struct backend_ref *ref, struct backend_attach *att,
		    struct backend_dev *dev);
void rbd_attach_close(struct backend_dev *dev);
int rbd_attach_unmap(const struct backend_ref *ref);
int rbd_attach_list(const struct backend_ref *ref,
		    struct backend_attachment *out, int max);

#endif
