// SPDX-License-Identifier: GPL-2.0
/*
 * copy-disk: the seed's way to change a disk's encryption (its rsync /
 * robocopy table), block for block.  Both disks are attached through the
 * agent (so the source is read as plaintext and the destination encrypts
 * on write, or not), copied, and detached again if we attached them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

#define COPY_CHUNK	(1024 * 1024)

struct copy_end {
	const char *id;
	char dev[128];
	int64_t size;
	int encrypted;
	int was_attached;
	int attached_by_us;
};

static int describe_one(const struct ctl_opts *o, struct copy_end *e)
{
	struct json_object *a = json_object_new_object(), *ids, *res, *list, *d, *v;

	ids = json_object_new_array();
	json_object_array_add(ids, json_object_new_string(e->id));
	json_object_object_add(a, "disk_ids", ids);
	if (ctl_call(o, "describe-disks", a, &res))
		return -1;
	json_object_object_get_ex(res, "Disks", &list);
	d = json_object_array_get_idx(list, 0);
	json_object_object_get_ex(d, "Size", &v);
	e->size = json_object_get_int64(v);
	json_object_object_get_ex(d, "Encrypted", &v);
	e->encrypted = json_object_get_boolean(v);
	json_object_object_get_ex(d, "Status", &v);
	e->was_attached = !strcmp(json_object_get_string(v), "In_use");
	json_object_put(res);
	return 0;
}

static int attach(const struct ctl_opts *o, struct copy_end *e)
{
	struct json_object *a = json_object_new_object(), *res, *v;

	json_object_object_add(a, "disk_id", json_object_new_string(e->id));
	if (ctl_call(o, "attach-disk", a, &res))
		return -1;
	json_object_object_get_ex(res, "Device", &v);
	snprintf(e->dev, sizeof(e->dev), "%s", json_object_get_string(v));
	json_object_put(res);
	e->attached_by_us = !e->was_attached;
	return 0;
}

static void detach_if_ours(const struct ctl_opts *o, struct copy_end *e)
{
	struct json_object *a, *res;

	if (!e->attached_by_us)
		return;
	a = json_object_new_object();
	json_object_object_add(a, "disk_id", json_object_new_string(e->id));
	if (ctl_call(o, "detach-disk", a, &res) == 0)
		json_object_put(res);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress(int64_t done, int64_t total, double t0, int last)
{
	const int width = 40;
	int fill = total ? (int)(done * width / total) : width;
	double dt = now_s() - t0;

	fprintf(stderr, "\r[%.*s%*s] %3d%% %6.1f MiB/s", fill,
		"########################################", width - fill, "",
		total ? (int)(done * 100 / total) : 100,
		dt > 0 ? (double)done / (1 << 20) / dt : 0.0);
	if (last)
		fputc('\n', stderr);
	fflush(stderr);
}

static int copy_blocks(struct copy_end *src, struct copy_end *dst, int show)
{
	int in = -1, out = -1, r = -1;
	int64_t done = 0;
	double t0 = now_s(), shown = 0;
	char *buf = NULL;

	if (posix_memalign((void **)&buf, 4096, COPY_CHUNK))
		return -1;
	in = open(src->dev, O_RDONLY | O_CLOEXEC);
	out = open(dst->dev, O_WRONLY | O_CLOEXEC);
	if (in < 0 || out < 0) {
		ctl_error("cannot open %s: %m", in < 0 ? src->dev : dst->dev);
		goto out;
	}
	while (done < src->size) {
		size_t want = (size_t)(src->size - done < COPY_CHUNK ?
				       src->size - done : COPY_CHUNK);
		ssize_t n = pread(in, buf, want, done);

		if (n <= 0) {
			ctl_error("reading %s at %lld: %s", src->id, (long long)done,
				  n < 0 ? strerror(errno) : "unexpected end");
			goto out;
		}
		if (pwrite(out, buf, (size_t)n, done) != n) {
			ctl_error("writing %s at %lld: %m", dst->id, (long long)done);
			goto out;
		}
		done += n;
		if (show && now_s() - shown > 0.2) {
			progress(done, src->size, t0, 0);
			shown = now_s();
		}
	}
	if (fsync(out) < 0) {
		ctl_error("flushing %s: %m", dst->id);
		goto out;
	}
	if (show)
		progress(done, src->size, t0, 1);
	r = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	free(buf);
	return r;
}

int verb_copy_disk(const struct ctl_opts *o, int argc, char **argv)
{
	struct copy_end src = { .id = argv[0] }, dst = { .id = argv[1] };
	int r = 1;

	if (!strcmp(src.id, dst.id)) {
		ctl_error("source and destination are the same disk");
		return 1;
	}
	if (describe_one(o, &src) || describe_one(o, &dst))
		return 1;
	if (dst.size < src.size) {
		ctl_error("%s (%lld bytes) is smaller than %s (%lld bytes)", dst.id,
			  (long long)dst.size, src.id, (long long)src.size);
		return 1;
	}
	if (dst.was_attached) {
		ctl_error("%s is attached; detach it before copying onto it", dst.id);
		return 1;
	}
	if (attach(o, &src) || attach(o, &dst))
		goto out;
	if (copy_blocks(&src, &dst, !o->no_progress && isatty(STDERR_FILENO)))
		goto out;
	if (!o->json)
		printf("copied %lld bytes from %s (%s) to %s (%s)\n",
		       (long long)src.size, src.id,
		       src.encrypted ? "encrypted" : "unencrypted", dst.id,
		       dst.encrypted ? "encrypted" : "unencrypted");
	r = 0;
out:
	detach_if_ours(o, &dst);
	detach_if_ours(o, &src);
	return r;
}
