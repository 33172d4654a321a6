/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Storage backends: where the stores of disks and snapshots live.
 *
 * A store is named by its region and object id and holds the two header
 * copies and the data area (Documentation/on-disk-format.md).  The core
 * (core.c) asks a backend for stores and block devices and never learns
 * how they are made: the local backend keeps sparse files behind loop
 * devices; the Ceph RBD backend (rbd/, a plugin the agent loads only when
 * asked: backend_plugin.c) maps the same calls onto librbd and the kernel
 * rbd client, and shares its stores with the agents of other hosts.
 *
 * Every call returns 0 or -errno and is safe to call from any thread for
 * different stores; the core serialises calls on one store.
 */
#ifndef ECSENC_BACKEND_H
#define ECSENC_BACKEND_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "disk_header.h"
#include "log.h"

/* How a store got another's data: shared extents, or copied bytes. */
enum backend_copy {
	BACKEND_COPY_NONE,	/* nothing to copy (an empty store) */
	BACKEND_COPY_REFLINK,	/* extents shared, copy-on-write (FICLONE) */
	BACKEND_COPY_BYTES,	/* the data was read and written */
	BACKEND_COPY_CLONE,	/* a copy-on-write child (RBD clone) */
	BACKEND_COPY_ROLLBACK,	/* rolled back in place (RBD snapshot) */
};

const char *backend_copy_name(enum backend_copy how);

struct backend_ref {
	const char *region;
	const char *id;
};

/* A block device over a store, while it is open for an attach. */
struct backend_dev {
	char path[64];		/* /dev/loop7, /dev/rbd0 */
	int handle;		/* backend's own: the loop fd */
};

/* What an attach asks of the store, beyond a block device. */
struct backend_attach {
	int shared;		/* several hosts may hold it (san_*) */
	int force;		/* fence the hosts that hold it, then take it */
	const char *device;	/* where the disk will be: /dev/mapper/... */
	char why[256];		/* out, on -EBUSY: who holds it, in words */
};

/* One host's hold on a store, as the storage records it. */
struct backend_attachment {
	char instance[64];	/* InstanceId of the host */
	char device[128];	/* the disk's device on that host */
	uint64_t attached;	/* unix seconds; 0: unknown */
};

#define BACKEND_MAX_ATTACHMENTS	16

typedef int (*backend_list_fn)(const struct backend_ref *ref,
			       const struct disk_header *h, void *arg);

struct backend_ops {
	const char *name;

	/*
	 * New store for header @h (its object_id and region name it), all
	 * zeros; fails with -EEXIST if there is one.  -ENOSPC when a store of
	 * that size can never fit.
	 */
	int (*create)(const struct disk_header *h);
	/* Replace @h's store by an empty one of @h's size (reinit). */
	int (*recreate)(const struct disk_header *h);
	int (*remove)(const struct backend_ref *ref);
	/*
	 * 1 (reason in @why) when other stores depend on @ref's data, so
	 * that it cannot be removed (disks cloned from a snapshot), else 0.
	 * NULL: stores never depend on each other.
	 */
	int (*in_use)(const struct backend_ref *ref, char *why, size_t len);
	int (*resize)(const struct backend_ref *ref, uint64_t data_size);

	/*
	 * Header area.  read: -EBADMSG when both copies are damaged,
	 * -EPROTO (reason in @why) when it names what the agent refuses.
	 */
	int (*read_header)(const struct backend_ref *ref, struct disk_header *h,
			   char *why, size_t why_len);
	int (*write_header)(const struct backend_ref *ref,
			    struct disk_header *h);

	/* Snapshot @disk into a new store with header @snap (consistent
	 * if the caller keeps the disk's I/O suspended). */
	int (*snapshot)(const struct backend_ref *disk,
			const struct disk_header *snap, enum backend_copy *how);
	/* New disk with header @disk from snapshot @snap's data. */
	int (*clone)(const struct backend_ref *snap,
		     const struct disk_header *disk, enum backend_copy *how);
	/* Disk @disk's data back to snapshot @snap's; header @h written. */
	int (*rollback)(const struct backend_ref *snap,
			const struct disk_header *h, enum backend_copy *how);

	/* Every store (the catalog is rebuilt from this). */
	int (*list)(backend_list_fn fn, void *arg);
	/*
	 * Remove what a crash left half-made (a store being built); one log
	 * line each.  Returns how many were removed.
	 */
	int (*clean_partial)(void);

	/*
	 * A block device over the store for an attach (-EBUSY, with
	 * @att->why, when another host holds a store that is not shared);
	 * close drops what open kept for building the table, unmap undoes
	 * open once the dm device is gone (or was never made).
	 */
	int (*open)(const struct backend_ref *ref, struct backend_attach *att,
		    struct backend_dev *dev);
	void (*close)(struct backend_dev *dev);
	int (*unmap)(const struct backend_ref *ref);
	/*
	 * The hosts that hold the store, as the storage says (at most @max
	 * in @out); returns how many.  NULL for a backend of one host: the
	 * core then reports its own dm device.
	 */
	int (*attachments)(const struct backend_ref *ref,
			   struct backend_attachment *out, int max);

	/* Bytes free for new stores of @region (UINT64_MAX: unknown). */
	uint64_t (*space)(const char *region);

	/* Where the store is, for the catalog and the log. */
	int (*locate)(const struct backend_ref *ref, char *buf, size_t len);

	/*
	 * Words for error @err of one of these calls, in @buf or static:
	 * what it means on this storage ("Ceph cluster unreachable (rbd pool
	 * P): Connection timed out").  NULL: strerror's words.
	 */
	const char *(*error_text)(int err, char *buf, size_t len);

	/*
	 * Other hosts create and delete stores too: the catalog is a cache
	 * of the backend's list, and an id it lacks is looked up there.
	 */
	int shared_by_hosts;
};

#define BACKEND_ERROR_TEXT_MAX	192

/* How a client is told of error @err of a call of @be. */
static inline const char *backend_strerror(const struct backend_ops *be, int err,
					   char *buf, size_t len)
{
	return be->error_text ? be->error_text(err, buf, len) : strerror(-err);
}

/*
 * Whether error @err of a call means that the storage as a whole did not
 * answer, not that this store is wrong: another call for another store
 * would wait for it again.  ETIMEDOUT: no answer in time; ENOTCONN: no
 * session with it; ESHUTDOWN: this client was fenced (the rbd backend's
 * errors of a lost Ceph cluster, rbd_cluster_lost()).
 */
/*
 * A built-in backend's progress in a long copy: it reaches the caller of
 * the operation this thread serves, if that caller asked for it.
 */
void backend_progress(const char *stage, uint64_t done, uint64_t total);

static inline int backend_unreachable(int err)
{
	return err == -ETIMEDOUT || err == -ENOTCONN || err == -ESHUTDOWN;
}

/* The same, in a buffer that lives as long as the enclosing block. */
#define BACKEND_STRERROR(be, err)					\
	backend_strerror((be), (err), (char[BACKEND_ERROR_TEXT_MAX]){ 0 }, \
			 BACKEND_ERROR_TEXT_MAX)

/* The local backend over @state_dir: <state-dir>/<region>/<id>.img. */
const struct backend_ops *backend_local_init(const char *state_dir);

/* What the rbd plugin is started with (kms-agent --backend rbd). */
struct backend_rbd_config {
	const char *conf_file;		/* ceph.conf */
	const char *pool;
	const char *ceph_id;		/* "admin": client.admin */
	const char *instance_id;	/* this host, in attachments */
	const char *state_dir;		/* for this host's own records */
};

/*
 * What the agent lends a backend plugin: all a plugin may call of the
 * agent.  The agent exports no symbols (it is not linked -rdynamic), and
 * a plugin exports only its init (BACKEND_PLUGIN_EXPORT; it is built
 * with -fvisibility=hidden), so neither can reach the other's internals.
 * Pure helpers of tools/lib without state (the header codec) are built
 * into the plugin; what has the agent's state (its log) comes from here.
 */
#define BACKEND_HOST_VERSION	1

struct backend_host {
	unsigned int version;	/* BACKEND_HOST_VERSION; first, always */
	/* One line of the agent's log (no newline; never a secret). */
	void (*log)(enum log_level level, const char *line);
};

#define BACKEND_PLUGIN_EXPORT	__attribute__((visibility("default")))

#define BACKEND_RBD_INIT_SYMBOL	"backend_rbd_init"
typedef const struct backend_ops *(*backend_rbd_init_fn)(
	const struct backend_host *host, const struct backend_rbd_config *cfg,
	char *err, size_t err_len);

/*
 * The backend named @name ("local", "rbd"); the rbd plugin is loaded from
 * @plugin_dir.  NULL with the reason in @err.
 */
const struct backend_ops *backend_load(const char *name, const char *plugin_dir,
				       const struct backend_rbd_config *cfg,
				       char *err, size_t err_len);

#endif
