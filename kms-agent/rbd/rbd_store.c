// SPDX-License-Identifier: GPL-2.0
/*
 * Stores on Ceph RBD (Documentation/on-disk-format.md, "On Ceph RBD"):
 * create, reinit, remove, resize, headers, snapshot, clone and rollback.
 *
 * Every store is an image <region>.<id> of one pool, shared by the agents
 * of every host: its first bytes are the ecsenc header and the rest is the
 * data area, as in a local store.
 *
 *   snapshot   an RBD snapshot <snapshot id> of the disk's image, and the
 *              snapshot's own store: a clone of it (instant, copy-on-write)
 *              carrying the snapshot's header, with a protected snapshot
 *              "base" that disks made from it are cloned from
 *   reset      snap_rollback of the disk to that RBD snapshot
 *
 * Stores under construction are named <name>.new and renamed when done;
 * a deleted disk whose RBD snapshots still back snapshots is renamed
 * <name>.deleted and removed with its last snapshot.  Each call runs with
 * the cluster held (RBD_RETRY, in backend_rbd.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rbd/librbd.h>

#include "backend.h"
#include "disk_header.h"
#include "log.h"
#include "rbd_backend.h"

#define COPY_CHUNK		(4u << 20)

/*
 * The names of @h's store (@name) and of the image it is built in (@tmp,
 * which publish() renames): -EEXIST when the store is there already.  A
 * .new of this fresh id is an earlier try's (a retry), and goes.
 */
static int new_store_names(const struct disk_header *h, char name[300],
			   char tmp[320])
{
	int r;

	r = image_name(h->region, h->object_id, "", name, 300);
	if (r == 0)
		r = image_name(h->region, h->object_id, ".new", tmp, 320);
	if (r == 0)
		r = image_exists(name);
	if (r > 0)
		return -EEXIST;
	return r < 0 ? r : remove_image(tmp);
}

int create_store(const struct disk_header *h)
{
	char name[300], tmp[320];
	int r;

	r = new_store_names(h, name, tmp);
	if (r < 0)
		return r;
	r = create_image(tmp, h->data_offset + h->data_size);
	if (r < 0)
		return r;
	r = write_into(tmp, h);
	if (r < 0) {
		remove_image(tmp);
		return r;
	}
	return publish(tmp, name);
}

/* Reinit of an empty disk: its data area zeroed, its header rewritten. */
int recreate_store(const struct disk_header *h)
{
	char name[300];
	rbd_image_t img;
	ssize_t n;
	int r;

	r = image_name(h->region, h->object_id, "", name, sizeof(name));
	if (r == 0)
		r = open_image(name, &img);
	if (r < 0)
		return r;
	n = rbd_write_zeroes(img, h->data_offset, h->data_size, 0, 0);
	r = n < 0 ? (int)n : header_write(img, h);
	rbd_close(img);
	return r;
}

/* The image and RBD snapshot @img was cloned from; "" when none. */
static void parent_of(rbd_image_t img, char *name, size_t nlen, char *snap,
		      size_t slen)
{
	rbd_linked_image_spec_t pi;
	rbd_snap_spec_t ps;

	name[0] = '\0';
	snap[0] = '\0';
	if (rbd_get_parent(img, &pi, &ps) < 0)
		return;
	snprintf(name, nlen, "%s", pi.image_name);
	snprintf(snap, slen, "%s", ps.name);
	rbd_linked_image_spec_cleanup(&pi);
	rbd_snap_spec_cleanup(&ps);
}

static int remove_store_image(const char *name);

/*
 * A clone of @parent at RBD snapshot @snap is gone.  A snapshot's own RBD snapshot goes
 * with it ("base" stays: it belongs to its snapshot), and a deleted disk
 * goes once no snapshot of it is left.
 */
static void release_parent(const char *parent, const char *snap)
{
	rbd_snap_info_t snaps[MAX_SNAPS];
	int n = MAX_SNAPS;
	rbd_image_t img;

	if (!strcmp(snap, BASE_SNAP) || open_image(parent, &img) < 0)
		return;
	if (drop_snap(img, snap) < 0)
		log_warn("%s@%s: cannot remove", parent, snap);
	n = rbd_snap_list(img, snaps, &n);
	if (n >= 0)
		rbd_snap_list_end(snaps);
	rbd_close(img);
	if (n == 0 && has_suffix(parent, ".deleted") &&
	    remove_store_image(parent) == 0)
		log_info("removed %s: its last snapshot is gone", parent);
}

/*
 * Remove a store's image (1: kept as .deleted while its snapshots need
 * it), then what only it needed of its parent.  The parent is found in
 * Ceph, not in the header: a copied snapshot's parent is the snapshot
 * it was copied from.
 */
static int remove_store_image(const char *name)
{
	char parent[300], snap[128];
	rbd_image_t img;
	int r;

	r = open_image(name, &img);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	parent_of(img, parent, sizeof(parent), snap, sizeof(snap));
	rbd_close(img);
	r = remove_image(name);
	if (r == 0 && parent[0])
		release_parent(parent, snap);
	return r;
}

int remove_store(const struct backend_ref *ref)
{
	char name[300];
	int r;

	r = ref_name(ref, name, sizeof(name));
	if (r == 0)
		r = remove_store_image(name);
	if (r == 1) {
		log_info("%s is kept as %s.deleted while its snapshots need it",
			 name, name);
		r = 0;
	}
	return r;
}

int store_in_use(const struct backend_ref *ref, char *why, size_t len)
{
	rbd_image_t img;
	int n, r;

	r = open_ref(ref, &img);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	n = snap_children(img, BASE_SNAP);
	rbd_close(img);
	if (n > 0) {
		snprintf(why, len, "%d disk%s made from it", n, n == 1 ? " was" : "s were");
		return 1;
	}
	return 0;
}

int resize_store(const struct backend_ref *ref, uint64_t data_size)
{
	rbd_image_t img;
	int r;

	r = open_ref(ref, &img);
	if (r < 0)
		return r;
	r = rbd_resize(img, DISK_HEADER_DATA_OFFSET + data_size);
	rbd_close(img);
	return r;
}

int read_store_header(const struct backend_ref *ref,
		      struct disk_header *h)
{
	char name[300];
	int r = ref_name(ref, name, sizeof(name));

	return r < 0 ? r : read_named_header(name, h);
}

int write_store_header(const struct backend_ref *ref,
		       struct disk_header *h)
{
	rbd_image_t img;
	int r;

	r = open_ref(ref, &img);
	if (r < 0)
		return r;
	r = header_rewrite(img, h);
	rbd_close(img);
	return r;
}

/*
 * A protected RBD snapshot @snap of image @name (clones are made of it),
 * made afresh: what an earlier try left goes first (a retry), and nothing
 * is left when it fails.
 */
static int make_clone_source(const char *name, const char *snap)
{
	rbd_image_t img;
	int r;

	r = open_image(name, &img);
	if (r < 0)
		return r;
	r = drop_snap(img, snap);
	if (r == 0)
		r = rbd_snap_create(img, snap);
	if (r == 0)
		r = rbd_snap_protect(img, snap);
	if (r < 0)
		drop_snap(img, snap);
	rbd_close(img);
	return r;
}

/* The snapshot's store: a clone of the disk at RBD snapshot @snap id. */
int snapshot_store(const struct backend_ref *disk,
		   const struct disk_header *snap, enum backend_copy *how)
{
	char dname[300], name[300], tmp[320];
	int r;

	*how = BACKEND_COPY_CLONE;
	r = ref_name(disk, dname, sizeof(dname));
	if (r == 0)
		r = image_name(snap->region, snap->object_id, "", name, sizeof(name));
	if (r == 0)
		r = image_name(snap->region, snap->object_id, ".new", tmp, sizeof(tmp));
	/* An earlier try's .new goes (1: kept as .deleted; the name is free). */
	if (r == 0)
		r = remove_image(tmp);
	if (r < 0)
		return r;
	r = make_clone_source(dname, snap->object_id);
	if (r < 0)
		return r;
	r = clone_image(dname, snap->object_id, tmp);
	if (r < 0)
		goto undo;
	r = write_into(tmp, snap);
	if (r < 0)
		goto undo;
	r = make_clone_source(tmp, BASE_SNAP);
	if (r < 0)
		goto undo;
	r = publish(tmp, name);
	if (r < 0)
		goto undo;
	return 0;

undo:
	remove_image(tmp);
	release_parent(dname, snap->object_id);
	return r;
}

/* A disk from a snapshot: a clone of the snapshot's "base". */
int clone_store(const struct backend_ref *snap,
		const struct disk_header *disk, enum backend_copy *how)
{
	char sname[300], name[300], tmp[320];
	int r;

	*how = BACKEND_COPY_CLONE;
	r = ref_name(snap, sname, sizeof(sname));
	if (r == 0)
		r = new_store_names(disk, name, tmp);
	if (r < 0)
		return r;
	r = clone_image(sname, BASE_SNAP, tmp);
	if (r < 0)
		return r;
	r = write_into(tmp, disk);
	if (r < 0) {
		remove_image(tmp);
		return r;
	}
	return publish(tmp, name);
}

struct copy_job {
	rbd_image_t from, to;
	char *buf;
};

static int copy_extent(uint64_t off, size_t len, int exists, void *arg)
{
	struct copy_job *job = arg;

	if (!exists)
		return 0;
	while (len) {
		size_t n = len < COPY_CHUNK ? len : COPY_CHUNK;
		ssize_t got = rbd_read(job->from, off, n, job->buf);

		if (got < 0)
			return (int)got;
		if ((size_t)got != n)
			return -EIO;
		got = rbd_write(job->to, off, n, job->buf);
		if (got < 0)
			return (int)got;
		off += n;
		len -= n;
	}
	return 0;
}

/* Copy @src's data area (what is allocated in it or its parents). */
static int copy_data(const char *src, rbd_image_t to, uint64_t off,
		     uint64_t len)
{
	struct copy_job job = { .to = to };
	uint64_t size;
	ssize_t n;
	int r;

	r = open_image(src, &job.from);
	if (r < 0)
		return r;
	job.buf = malloc(COPY_CHUNK);
	r = job.buf ? rbd_get_size(job.from, &size) : -ENOMEM;
	if (r < 0)
		goto out;
	if (size - off < len)
		len = size - off;
	n = rbd_write_zeroes(to, off, len, 0, 0);
	r = n < 0 ? (int)n : rbd_diff_iterate2(job.from, NULL, off, len, 1, 0,
					       copy_extent, &job);
out:
	free(job.buf);
	rbd_close(job.from);
	return r;
}

/*
 * Disk @h back to snapshot @snap: a rollback when the snapshot was taken
 * of this disk (reset), else a copy of the snapshot's data (re-init of a
 * disk made from it).  The disk is not attached anywhere.
 */
int rollback_store(const struct backend_ref *snap,
		   const struct disk_header *h, enum backend_copy *how)
{
	char name[300], sname[300];
	bool exists = false;
	rbd_image_t img;
	uint64_t size;
	int r;

	r = image_name(h->region, h->object_id, "", name, sizeof(name));
	if (r == 0)
		r = ref_name(snap, sname, sizeof(sname));
	if (r == 0)
		r = open_image(name, &img);
	if (r < 0)
		return r;
	r = rbd_snap_exists(img, snap->id, &exists);
	if (r == 0 && exists) {
		*how = BACKEND_COPY_ROLLBACK;
		r = rbd_snap_rollback(img, snap->id);
	} else if (r == 0) {
		*how = BACKEND_COPY_BYTES;
		r = copy_data(sname, img, h->data_offset, h->data_size);
	}
	if (r == 0)
		r = rbd_get_size(img, &size);
	if (r == 0 && size < h->data_offset + h->data_size)
		r = rbd_resize(img, h->data_offset + h->data_size);
	if (r == 0)
		r = header_write(img, h);
	rbd_close(img);
	return r;
}
