// SPDX-License-Identifier: GPL-2.0
/*
 * The rbd backend's walks over the pool: the listing of every store (the
 * catalog is rebuilt from it), and the clean-up of what a crash left
 * half-made (stores still named .new, RBD snapshots no snapshot store
 * came of).  The cluster is held per image, not across the walk.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rbd/librbd.h>

#include "backend.h"
#include "disk_header.h"
#include "log.h"
#include "rbd_backend.h"
#include "rbd_cluster.h"
#include "region_id.h"

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

int rbd_be_list(backend_list_fn fn, void *arg)
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

int rbd_be_clean_partial(void)
{
	int count = 0, r = each_image(clean_one, &count);

	return r < 0 ? r : count;
}
