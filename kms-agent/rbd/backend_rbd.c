// SPDX-License-Identifier: GPL-2.0
/*
 * The Ceph RBD backend (Documentation/on-disk-format.md, "On Ceph RBD").
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
 *   attach     rbd_attach.c
 *
 * Stores under construction are named <name>.new and renamed when done;
 * a deleted disk whose RBD snapshots still back snapshots is renamed
 * <name>.deleted and removed with its last snapshot.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <rbd/features.h>
#include <rbd/librbd.h>

#include "backend.h"
#include "disk_header.h"
#include "log.h"
#include "rbd_backend.h"
#include "rbd_cluster.h"
#include "region_id.h"

#define IMAGE_ORDER		22	/* 4 MiB objects */
#define BASE_SNAP		"base"
#define MAX_SNAPS		256
#define COPY_CHUNK		(4u << 20)

struct rbd_cluster rbd_cl;		/* rbd_backend.h */
char rbd_instance[64];
char rbd_maps_dir[512];

/* --- names ------------------------------------------------------------ */

int image_name(const char *region, const char *id, const char *suffix,
		      char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s.%s%s", region, id, suffix);

	return n < len ? 0 : -ENAMETOOLONG;
}

int ref_name(const struct backend_ref *ref, char *buf, size_t len)
{
	return image_name(ref->region, ref->id, "", buf, len);
}

/*
 * "<region>.<id>" back into its parts; 0 if it is not a store's name.  A
 * region id may hold a '.' and an object id never does, so the id is what
 * follows the last one.
 */
static int parse_name(const char *name, char *region, size_t rlen, char *id,
		      size_t ilen)
{
	const char *dot = strrchr(name, '.');

	if (!dot || dot == name ||
	    (size_t)(dot - name) >= rlen || strlen(dot + 1) >= ilen ||
	    (strncmp(dot + 1, "d-", 2) && strncmp(dot + 1, "s-", 2)))
		return 0;
	snprintf(region, rlen, "%.*s", (int)(dot - name), name);
	snprintf(id, ilen, "%s", dot + 1);
	return 1;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && !strcmp(s + n - k, suffix);
}

int open_image(const char *name, rbd_image_t *img)
{
	return rbd_open(rbd_cl.io, name, img, NULL);
}

int open_ref(const struct backend_ref *ref, rbd_image_t *img)
{
	char name[300];
	int r = ref_name(ref, name, sizeof(name));

	return r < 0 ? r : open_image(name, img);
}

/* --- header I/O over an image ----------------------------------------- */

static int img_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	ssize_t n = rbd_read(ctx, off, len, buf);

	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

static int img_pwrite(void *ctx, const void *buf, size_t len, uint64_t off)
{
	ssize_t n = rbd_write(ctx, off, len, buf);

	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

static int img_flush(void *ctx)
{
	return rbd_flush(ctx);
}

static int header_read(rbd_image_t img, struct disk_header *h)
{
	struct disk_header_io io = { img_pread, img_pwrite, img_flush, img };

	return disk_header_read_io(&io, h, NULL);
}

/* Both copies of @h, its seqno bumped (the caller's copy too). */
static int header_rewrite(rbd_image_t img, struct disk_header *h)
{
	struct disk_header_io io = { img_pread, img_pwrite, img_flush, img };

	return disk_header_write_io(&io, h);
}

/* Both copies of @hdr, for a store being built or rewritten by the core. */
static int header_write(rbd_image_t img, const struct disk_header *hdr)
{
	struct disk_header h = *hdr;

	return header_rewrite(img, &h);
}

/* --- images ----------------------------------------------------------- */

static int create_image(const char *name, uint64_t size)
{
	rbd_image_options_t opts;
	int r;

	/* layering only: the kernel client maps it, and shared disks are
	 * mapped on several hosts at once (no exclusive-lock feature). */
	rbd_image_options_create(&opts);
	rbd_image_options_set_uint64(opts, RBD_IMAGE_OPTION_FEATURES,
				     RBD_FEATURE_LAYERING);
	rbd_image_options_set_uint64(opts, RBD_IMAGE_OPTION_ORDER, IMAGE_ORDER);
	r = rbd_create4(rbd_cl.io, name, size, opts);
	rbd_image_options_destroy(opts);
	return r;
}

static int clone_image(const char *parent, const char *snap, const char *child)
{
	rbd_image_options_t opts;
	int r;

	rbd_image_options_create(&opts);
	rbd_image_options_set_uint64(opts, RBD_IMAGE_OPTION_FEATURES,
				     RBD_FEATURE_LAYERING);
	rbd_image_options_set_uint64(opts, RBD_IMAGE_OPTION_ORDER, IMAGE_ORDER);
	r = rbd_clone3(rbd_cl.io, parent, snap, rbd_cl.io, child, opts);
	rbd_image_options_destroy(opts);
	return r;
}

/* 1 if image @name exists, 0 if not, or why Ceph cannot say. */
static int image_exists(const char *name)
{
	rbd_image_t img;
	int r = open_image(name, &img);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	rbd_close(img);
	return 1;
}

/* Images made from snapshot @snap of @img (its clones). */
static int snap_children(rbd_image_t img, const char *snap)
{
	rbd_linked_image_spec_t kids[16];
	size_t n = 16;
	int r;

	r = rbd_snap_set(img, snap);
	if (r < 0)
		return r;
	r = rbd_list_children3(img, kids, &n);
	rbd_snap_set(img, NULL);
	if (r == -ERANGE)
		return 16;
	if (r < 0)
		return r;
	rbd_linked_image_spec_list_cleanup(kids, n);
	return (int)n;
}

static int drop_snap(rbd_image_t img, const char *snap)
{
	int is_protected = 0, r;

	r = rbd_snap_is_protected(img, snap, &is_protected);
	if (r == -ENOENT)
		return 0;
	if (r == 0 && is_protected)
		r = rbd_snap_unprotect(img, snap);
	if (r == 0)
		r = rbd_snap_remove(img, snap);
	return r == -ENOENT ? 0 : r;
}

/*
 * Remove image @name with its snapshots.  When one of them still backs
 * clones (a deleted disk's snapshots) the image is renamed
 * <name>.deleted instead, and 1 is returned.
 */
static int remove_image(const char *name)
{
	rbd_snap_info_t snaps[MAX_SNAPS];
	int n = MAX_SNAPS, kept = 0, r;
	char gone[300];
	rbd_image_t img;

	r = open_image(name, &img);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	n = rbd_snap_list(img, snaps, &n);
	if (n < 0) {
		rbd_close(img);
		return n;
	}
	for (int i = 0; i < n; i++) {
		if (snap_children(img, snaps[i].name) > 0) {
			kept++;
			continue;
		}
		r = drop_snap(img, snaps[i].name);
		if (r < 0)
			log_warn("%s@%s: cannot remove: %s", name, snaps[i].name,
				 strerror(-r));
	}
	rbd_snap_list_end(snaps);
	rbd_close(img);
	if (kept) {
		if (has_suffix(name, ".deleted"))
			return 1;
		snprintf(gone, sizeof(gone), "%s.deleted", name);
		r = rbd_rename(rbd_cl.io, name, gone);
		return r < 0 ? r : 1;
	}
	r = rbd_remove(rbd_cl.io, name);
	return r == -ENOENT ? 0 : r;
}

/* @final is complete as @tmp: put it in place. */
static int publish(const char *tmp, const char *final)
{
	int r = rbd_rename(rbd_cl.io, tmp, final);

	if (r < 0) {
		log_err("rbd rename %s -> %s: %s", tmp, final, strerror(-r));
		remove_image(tmp);
	}
	return r;
}

/* Write header @h into image @name (and grow it to hold @h's data). */
static int write_into(const char *name, const struct disk_header *h)
{
	uint64_t size, want = h->data_offset + h->data_size;
	rbd_image_t img;
	int r;

	r = open_image(name, &img);
	if (r < 0)
		return r;
	r = rbd_get_size(img, &size);
	if (r == 0 && size < want)
		r = rbd_resize(img, want);
	if (r == 0)
		r = header_write(img, h);
	rbd_close(img);
	return r;
}

/* --- backend ops: stores ---------------------------------------------- */

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

static int create_store(const struct disk_header *h)
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
static int recreate_store(const struct disk_header *h)
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

	name[0] = snap[0] = '\0';
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

static int remove_store(const struct backend_ref *ref)
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

static int store_in_use(const struct backend_ref *ref, char *why, size_t len)
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

static int resize_store(const struct backend_ref *ref, uint64_t data_size)
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

static int read_named_header(const char *name, struct disk_header *h)
{
	rbd_image_t img;
	int r;

	r = open_image(name, &img);
	if (r < 0)
		return r;
	r = header_read(img, h);
	rbd_close(img);
	return r;
}

static int read_store_header(const struct backend_ref *ref,
			     struct disk_header *h)
{
	char name[300];
	int r = ref_name(ref, name, sizeof(name));

	return r < 0 ? r : read_named_header(name, h);
}

static int write_store_header(const struct backend_ref *ref,
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

/* The snapshot's store: a clone of the disk at RBD snapshot @snap id. */
static int snapshot_store(const struct backend_ref *disk,
			  const struct disk_header *snap, enum backend_copy *how)
{
	char dname[300], name[300], tmp[320];
	rbd_image_t img;
	int r;

	*how = BACKEND_COPY_CLONE;
	r = ref_name(disk, dname, sizeof(dname));
	if (r == 0)
		r = image_name(snap->region, snap->object_id, "", name, sizeof(name));
	if (r == 0)
		r = image_name(snap->region, snap->object_id, ".new", tmp, sizeof(tmp));
	if (r == 0)
		r = remove_image(tmp);
	if (r == 0)
		r = open_image(dname, &img);
	if (r < 0)
		return r;
	/* What an earlier try of this fresh snapshot id left (a retry). */
	r = drop_snap(img, snap->object_id);
	if (r == 0)
		r = rbd_snap_create(img, snap->object_id);
	if (r == 0)
		r = rbd_snap_protect(img, snap->object_id);
	if (r < 0) {
		drop_snap(img, snap->object_id);
		rbd_close(img);
		return r;
	}
	rbd_close(img);
	r = clone_image(dname, snap->object_id, tmp);
	if (r == 0)
		r = write_into(tmp, snap);
	if (r == 0 && (r = open_image(tmp, &img)) == 0) {
		r = rbd_snap_create(img, BASE_SNAP);
		if (r == 0)
			r = rbd_snap_protect(img, BASE_SNAP);
		rbd_close(img);
	}
	if (r == 0)
		r = publish(tmp, name);
	if (r < 0) {
		remove_image(tmp);
		release_parent(dname, snap->object_id);
	}
	return r;
}

/* A disk from a snapshot: a clone of the snapshot's "base". */
static int clone_store(const struct backend_ref *snap,
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
static int rollback_store(const struct backend_ref *snap,
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

/* --- listing and clean-up --------------------------------------------- */

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

/* The names of the pool's images, in @names (free_names() them). */
static int list_names(char ***names, size_t *count)
{
	rbd_image_spec_t *images = NULL;
	size_t n = 64;
	int r;

	*names = NULL;
	*count = 0;
	for (;;) {
		rbd_image_spec_t *more = realloc(images, n * sizeof(*images));

		if (!more) {
			free(images);
			return -ENOMEM;
		}
		images = more;
		r = rbd_list2(rbd_cl.io, images, &n);
		if (r != -ERANGE)
			break;
	}
	if (r < 0)
		goto out;
	*names = calloc(n ? n : 1, sizeof(**names));
	r = *names ? 0 : -ENOMEM;
	for (size_t i = 0; r == 0 && i < n; i++) {
		(*names)[i] = strdup(images[i].name);
		r = (*names)[i] ? 0 : -ENOMEM;
		*count = i + 1;
	}
	rbd_image_spec_list_cleanup(images, n);
	if (r < 0) {
		free_names(*names, *count);
		*names = NULL;
		*count = 0;
	}
out:
	free(images);
	return r;
}

typedef int (*image_fn)(const char *name, void *arg);

/*
 * @fn for each image of the pool; the cluster is not held across calls
 * (@fn holds it for what it does in Ceph, and may call back into the
 * agent).
 */
static int each_image(image_fn fn, void *arg)
{
	char **names = NULL;
	size_t n = 0;
	int r;

	r = RBD_RETRY(list_names(&names, &n));
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = fn(names[i], arg);
	free_names(names, n);
	return r < 0 ? r : 0;
}

struct list_walk {
	backend_list_fn fn;
	void *arg;
};

/*
 * One image into the listing.  One that went meanwhile or is damaged is
 * skipped; a lost cluster ends the listing (a partial one would look
 * whole).
 */
static int list_one(const char *name, void *arg)
{
	struct list_walk *w = arg;
	char region[REGION_ID_MAX + 1], id[64];
	struct backend_ref ref = { .region = region, .id = id };
	struct disk_header h;
	int r;

	if (!parse_name(name, region, sizeof(region), id, sizeof(id)))
		return 0;
	r = RBD_RETRY(read_named_header(name, &h));
	if (rbd_cluster_lost(r))
		return r;
	if (r < 0) {
		if (r != -ENOENT)
			log_err("rbd:%s/%s: skipped: %s", rbd_cl.pool, name,
				r == -EBADMSG ? "both header copies are damaged" :
						strerror(-r));
		return 0;
	}
	return w->fn(&ref, &h, w->arg);
}

static int rbd_be_list(backend_list_fn fn, void *arg)
{
	struct list_walk w = { fn, arg };

	return each_image(list_one, &w);
}

/* Half-built stores, and RBD snapshots no snapshot store came of. */
static int clean_image(const char *name, int *count)
{
	rbd_snap_info_t snaps[MAX_SNAPS];
	char region[REGION_ID_MAX + 1], id[64], store[300];
	int n = MAX_SNAPS;
	rbd_image_t img;

	if (has_suffix(name, ".new")) {
		if (remove_image(name) == 0) {
			log_info("removed the half-built store rbd:%s/%s (the agent stopped while building it)",
				 rbd_cl.pool, name);
			(*count)++;
		}
		return 0;
	}
	if (!parse_name(name, region, sizeof(region), id, sizeof(id)) ||
	    strncmp(id, "d-", 2) || open_image(name, &img) < 0)
		return 0;
	n = rbd_snap_list(img, snaps, &n);
	for (int i = 0; i < n; i++) {
		image_name(region, snaps[i].name, "", store, sizeof(store));
		if (strncmp(snaps[i].name, "s-", 2) || image_exists(store) ||
		    snap_children(img, snaps[i].name) > 0)
			continue;
		if (drop_snap(img, snaps[i].name) == 0) {
			log_info("removed rbd:%s/%s@%s, left by a snapshot the agent did not finish",
				 rbd_cl.pool, name, snaps[i].name);
			(*count)++;
		}
	}
	if (n >= 0)
		rbd_snap_list_end(snaps);
	rbd_close(img);
	return 0;
}

static int clean_one(const char *name, void *arg)
{
	return RBD_RETRY(clean_image(name, arg));
}

static int rbd_be_clean_partial(void)
{
	int count = 0, r = each_image(clean_one, &count);

	return r < 0 ? r : count;
}

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

const struct backend_ops *backend_rbd_init(const struct backend_rbd_config *cfg,
					   char *err, size_t err_len)
{
	int r;

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
