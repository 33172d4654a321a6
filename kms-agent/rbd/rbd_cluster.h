/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rbd backend's connection to the Ceph cluster: librados for control,
 * and what the kernel rbd client needs to map an image (the monitors'
 * addresses, and the cephx key in the kernel keyring).
 */
#ifndef ECSENC_RBD_CLUSTER_H
#define ECSENC_RBD_CLUSTER_H

#include <pthread.h>
#include <stddef.h>

#include <rados/librados.h>

/*
 * A librados handle that lost its cluster does not always find it again
 * (Documentation/operations.md, "When Ceph is unreachable"): an operation
 * that fails with one of the errors of rbd_cluster_lost() makes a new
 * handle from the same configuration and is retried once on it.
 * Operations use rados and io between rbd_cluster_enter() and
 * rbd_cluster_leave(); a reconnect swaps them once no operation does.
 */
struct rbd_cluster {
	rados_t rados;
	rados_ioctx_t io;
	char pool[128];
	char ceph_id[64];		/* "admin" for client.admin */
	char mons[512];			/* "10.0.0.1:6789,10.0.0.2:6789" */
	char conf_file[512];
	pthread_rwlock_t in_use;	/* read: rados and io are in use */
	pthread_mutex_t reconnecting;	/* one reconnect at a time */
	unsigned long generation;	/* handles replaced so far */
	unsigned long failed_reconnects;
	int reconnect_error;		/* of the last failed reconnect */
	int down;			/* the last reconnect failed */
};

/* What an operation saw of the cluster when it entered. */
struct rbd_session {
	unsigned long generation;
	unsigned long failed_reconnects;
};

/* Connect to @conf_file's cluster as client.@ceph_id and open @pool. */
int rbd_cluster_connect(struct rbd_cluster *cl, const char *conf_file,
			const char *ceph_id, const char *pool,
			char *err, size_t err_len);

/*
 * Hold the handle for one operation.  While the cluster is down (the last
 * reconnect failed) a new handle is tried first, at most one attempt at
 * a time: 0, or the error of that attempt (nothing is held then).
 */
int rbd_cluster_enter(struct rbd_cluster *cl, struct rbd_session *s);
void rbd_cluster_leave(struct rbd_cluster *cl);

/* Whether librados error @err means that the handle lost its cluster. */
int rbd_cluster_lost(int err);

/*
 * After an operation of session @s failed with @failed: a new handle in
 * place of the one @s used, unless another thread replaced it meanwhile
 * (0) or failed to since @s began (its error).  Returns 0 or the new
 * connection's error; @failed when called inside another operation,
 * which reconnects instead.
 */
int rbd_cluster_reconnect(struct rbd_cluster *cl, const struct rbd_session *s,
			  int failed);

/*
 * The kernel client's options for a mapping: its name and the cephx key
 * by name (the key itself went into the kernel keyring at connect).
 */
int rbd_cluster_kernel_options(const struct rbd_cluster *cl, char *buf,
			       size_t len);

/* Fence the client at @addr ("ip:port/nonce"): the OSDs refuse its I/O. */
int rbd_cluster_blocklist(struct rbd_cluster *cl, const char *addr);

/* Bytes free in the cluster, in @bytes. */
int rbd_cluster_free(struct rbd_cluster *cl, unsigned long long *bytes);

#endif
