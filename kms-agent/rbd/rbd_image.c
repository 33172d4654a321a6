// SPDX-License-Identifier: GPL-2.0
/*
 * Image primitives of the rbd backend: the names of stores' images, the
 * header over an image, and making, cloning and removing images and their
 * RBD snapshots.  Each runs with the cluster held (RBD_RETRY, in the
 * caller) and returns 0 or -errno.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rbd/features.h>
#include <rbd/librbd.h>

#include "backend.h"
#include "disk_header.h"
#include "log.h"
#include "rbd_backend.h"
#include "rbd_cluster.h"

#define IMAGE_ORDER		22	/* 4 MiB objects */

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
int parse_name(const char *name, char *region, size_t rlen, char *id,
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

int has_suffix(const char *s, const char *suffix)
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
int header_rewrite(rbd_image_t img, struct disk_header *h)
{
	struct disk_header_io io = { img_pread, img_pwrite, img_flush, img };

	return disk_header_write_io(&io, h);
}

/* Both copies of @hdr, for a store being built or rewritten by the core. */
int header_write(rbd_image_t img, const struct disk_header *hdr)
{
	struct disk_header h = *hdr;

	return header_rewrite(img, &h);
}

int read_named_header(const char *name, struct disk_header *h)
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

/* --- images ----------------------------------------------------------- */

int create_image(const char *name, uint64_t size)
{
	rbd_image_options_t opts;
	int r;

	/*
	 * layering only: the kernel client maps it, and shared disks are
	 * mapped on several hosts at once (no exclusive-lock feature).
	 */
	rbd_image_options_create(&opts);
	rbd_image_options_set_uint64(opts, RBD_IMAGE_OPTION_FEATURES,
				     RBD_FEATURE_LAYERING);
	rbd_image_options_set_uint64(opts, RBD_IMAGE_OPTION_ORDER, IMAGE_ORDER);
	r = rbd_create4(rbd_cl.io, name, size, opts);
	rbd_image_options_destroy(opts);
	return r;
}

int clone_image(const char *parent, const char *snap, const char *child)
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
int image_exists(const char *name)
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
int snap_children(rbd_image_t img, const char *snap)
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

int drop_snap(rbd_image_t img, const char *snap)
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
int remove_image(const char *name)
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
int publish(const char *tmp, const char *final)
{
	int r = rbd_rename(rbd_cl.io, tmp, final);

	if (r < 0) {
		log_err("rbd rename %s -> %s: %s", tmp, final, strerror(-r));
		remove_image(tmp);
	}
	return r;
}

/* Write header @h into image @name (and grow it to hold @h's data). */
int write_into(const char *name, const struct disk_header *h)
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
