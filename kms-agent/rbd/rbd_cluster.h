/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rbd backend's connection to the Ceph cluster: librados for control,
 * and what the kernel rbd client needs to map an image (the monitors'
 * addresses, and the cephx key in the kernel keyring).
 */
#ifndef ECSENC_RBD_CLUSTER_H
#define ECSENC_RBD_CLUSTER_H

#include <stddef.h>

#include <rados/librados.h>

struct rbd_cluster {
	rados_t rados;
	rados_ioctx_t io;
	char pool[128];
	char ceph_id[64];		/* "admin" for client.admin */
	char mons[512];			/* "10.0.0.1:6789,10.0.0.2:6789" */
};

/* Connect to @conf_file's cluster as client.@ceph_id and open @pool. */
int rbd_cluster_connect(struct rbd_cluster *cl, const char *conf_file,
			const char *ceph_id, const char *pool,
			char *err, size_t err_len);

/*
 * The kernel client's options for a mapping: its name and the cephx key
 * by name (the key itself went into the kernel keyring at connect).
 */
int rbd_cluster_kernel_options(const struct rbd_cluster *cl, char *buf,
			       size_t len);

/* Fence the client at @addr ("ip:port/nonce"): the OSDs refuse its I/O. */
int rbd_cluster_blocklist(struct rbd_cluster *cl, const char *addr);

/* Bytes free in the cluster, UINT64_MAX when it cannot say. */
unsigned long long rbd_cluster_free(struct rbd_cluster *cl);

#endif
