/* SPDX-License-Identifier: GPL-2.0 */
/* What the files of the rbd backend share: the cluster and image names. */
#ifndef ECSENC_RBD_BACKEND_H
#define ECSENC_RBD_BACKEND_H

#include <stddef.h>

#include <rbd/librbd.h>

struct backend_ref;
struct backend_attach;
struct backend_attachment;
struct backend_dev;

extern struct rbd_cluster rbd_cl;
extern char rbd_instance[64];	/* this host's InstanceId */
extern char rbd_maps_dir[512];	/* this host's notes of its mappings */

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
