/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Storage backends: where the stores of disks and snapshots live.
 *
 * A store is named by its region and object id and holds the two header
 * copies and the data area (Documentation/on-disk-format.md).  The core
 * (core.c) asks a backend for stores and block devices and never learns
 * how they are made: the local backend keeps sparse files behind loop
 * devices; a Ceph RBD backend maps the same calls onto librbd (create,
 * remove, resize; snap_create + protect; clone; snap_rollback; image
 * metadata; lock_acquire and list_lockers for holder) and the kernel
 * client (open: /sys/bus/rbd/add_single_major).
 *
 * Every call returns 0 or -errno and is safe to call from any thread for
 * different stores; the core serialises calls on one store.
 */
#ifndef ECSENC_BACKEND_H
#define ECSENC_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "disk_header.h"

/* How a store got another's data: shared extents, or copied bytes. */
enum backend_copy {
	BACKEND_COPY_NONE,	/* nothing to copy (an empty store) */
	BACKEND_COPY_REFLINK,	/* extents shared, copy-on-write (FICLONE) */
	BACKEND_COPY_BYTES,	/* the data was read and written */
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

	/* A block device over the store for an attach, and its release. */
	int (*open)(const struct backend_ref *ref, struct backend_dev *dev);
	void (*close)(struct backend_dev *dev);
	/* Who holds the store: "" when nobody, else a description. */
	int (*holder)(const struct backend_ref *ref, char *who, size_t len);

	/* Bytes free for new stores of @region (UINT64_MAX: unknown). */
	uint64_t (*space)(const char *region);

	/* Where the store is, for the catalog and the log. */
	int (*locate)(const struct backend_ref *ref, char *buf, size_t len);
};

/* The local backend over @state_dir: <state-dir>/<region>/<id>.img. */
const struct backend_ops *backend_local_init(const char *state_dir);

#endif
