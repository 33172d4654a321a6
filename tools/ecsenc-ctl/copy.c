// SPDX-License-Identifier: GPL-2.0
/*
 * copy-disk: how a disk's data moves between encrypted and unencrypted
 * disks (ECS offers no in-place conversion), block for block.  Both disks are attached through the
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
	struct agent_args a = { .n_disk_ids = 1, .disk_ids = { e->id } };
	struct json_object *res, *list, *d;

	if (ctl_call(o, AGENT_OP_DESCRIBE_DISKS, &a, &res))
		return -1;
	list = reply_array(res, "Disks");
	d = list && json_object_array_length(list) == 1 ?
	    json_object_array_get_idx(list, 0) : NULL;
	if (!d || strcmp(reply_str(d, "DiskId"), e->id)) {
		ctl_error_code(ECS_ERR_INTERNAL, "the agent did not describe %s", e->id);
		json_object_put(res);
		return -1;
	}
	e->size = reply_int(d, "SizeBytes");
	e->encrypted = reply_bool(d, "Encrypted");
	e->was_attached = !strcmp(reply_str(d, "Status"), "In_use");
	json_object_put(res);
	return 0;
}

static int attach(const struct ctl_opts *o, struct copy_end *e)
{
	struct agent_args a = { .disk_id = e->id };
	struct json_object *res;

	if (ctl_call(o, AGENT_OP_ATTACH_DISK, &a, &res))
		return -1;
	snprintf(e->dev, sizeof(e->dev), "%s", reply_str(res, "Device"));
	json_object_put(res);
	e->attached_by_us = !e->was_attached;
	if (!e->dev[0]) {
		ctl_error_code(ECS_ERR_INTERNAL, "the agent attached %s without a device",
			       e->id);
		return -1;
	}
	return 0;
}

static void detach_if_ours(const struct ctl_opts *o, struct copy_end *e)
{
	struct agent_args a = { .disk_id = e->id };
	struct json_object *res;

	if (!e->attached_by_us)
		return;
	if (ctl_call(o, AGENT_OP_DETACH_DISK, &a, &res) == 0)
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
	double dt = now_s() - t0;
	char rate[32];

	snprintf(rate, sizeof(rate), "%6.1f MiB/s",
		 dt > 0 ? (double)done / (1 << 20) / dt : 0.0);
	ctl_progress_bar(NULL, done, total ? total : done, rate, last);
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

static void print_result(const struct ctl_opts *o, const struct copy_end *src,
			 const struct copy_end *dst)
{
	struct json_object *j;

	if (!o->json) {
		printf("copied %lld bytes from %s (%s) to %s (%s)\n",
		       (long long)src->size, src->id,
		       src->encrypted ? "encrypted" : "unencrypted", dst->id,
		       dst->encrypted ? "encrypted" : "unencrypted");
		return;
	}
	j = json_object_new_object();
	json_object_object_add(j, "SourceDiskId", json_object_new_string(src->id));
	json_object_object_add(j, "SourceEncrypted",
			       json_object_new_boolean(src->encrypted));
	json_object_object_add(j, "DestinationDiskId", json_object_new_string(dst->id));
	json_object_object_add(j, "DestinationEncrypted",
			       json_object_new_boolean(dst->encrypted));
	json_object_object_add(j, "BytesCopied", json_object_new_int64(src->size));
	ctl_print_json(j);
	json_object_put(j);
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
		ctl_error_code(ECS_ERR_INCORRECT_DISK_STATUS,
			       "%s is attached; detach it before copying onto it", dst.id);
		return 1;
	}
	if (attach(o, &src) || attach(o, &dst))
		goto out;
	if (copy_blocks(&src, &dst, !o->no_progress && isatty(STDERR_FILENO)))
		goto out;
	print_result(o, &src, &dst);
	r = 0;
out:
	detach_if_ours(o, &dst);
	detach_if_ours(o, &src);
	return r;
}

/* One request that answers an object; its @field into @buf. */
static int call_id(const struct ctl_opts *o, enum agent_op_id op,
		   const struct agent_args *a, const char *field, char *buf,
		   size_t len)
{
	struct json_object *res;

	if (ctl_call(o, op, a, &res))
		return -1;
	snprintf(buf, len, "%s", reply_str(res, field));
	json_object_put(res);
	return 0;
}

static void delete_disk(const struct ctl_opts *o, const char *id)
{
	struct agent_args a = { .disk_id = id };
	struct json_object *res;

	if (*id && ctl_call(o, AGENT_OP_DELETE_DISK, &a, &res) == 0)
		json_object_put(res);
}

/*
 * copy-snapshot --encrypted of an unencrypted snapshot: its data has to be
 * encrypted on the way, which only a copy through two attached disks does
 * (as copy-disk): a disk from the snapshot, a new encrypted disk of its
 * size, the blocks copied, a snapshot of the encrypted disk, the two
 * disks deleted; with --destination-region, that snapshot is copied there.
 */
int ctl_copy_snapshot_encrypting(const struct ctl_opts *o, const char *snap,
				 const char *category)
{
	char plain[64] = "", enc[64] = "", copy[64] = "", moved[64] = "";
	/* A disk of the plain snapshot, even where new disks are encrypted. */
	struct agent_args a = { .snapshot_id = snap, .copy_source = 1 };
	struct copy_end src = { .id = plain }, dst = { .id = enc };
	int r = 1;

	if (call_id(o, AGENT_OP_CREATE_DISK, &a, "DiskId", plain, sizeof(plain)) ||
	    describe_one(o, &src))
		goto out;
	a = (struct agent_args){
		.size = (uint64_t)src.size, .category = category, .encrypted = 1,
		.kms_key_id = o->destination_region ? NULL : o->kms_key_id,
	};
	if (call_id(o, AGENT_OP_CREATE_DISK, &a, "DiskId", enc, sizeof(enc)) ||
	    describe_one(o, &dst) || attach(o, &src) || attach(o, &dst))
		goto out;
	if (copy_blocks(&src, &dst, !o->no_progress && isatty(STDERR_FILENO)))
		goto out;
	detach_if_ours(o, &dst);
	detach_if_ours(o, &src);
	a = (struct agent_args){ .disk_id = enc };
	if (call_id(o, AGENT_OP_CREATE_SNAPSHOT, &a, "SnapshotId", copy, sizeof(copy)))
		goto out;
	if (o->destination_region) {
		a = (struct agent_args){
			.snapshot_id = copy, .kms_key_id = o->kms_key_id,
			.destination_region = o->destination_region,
		};
		if (call_id(o, AGENT_OP_COPY_SNAPSHOT, &a, "SnapshotId", moved,
			    sizeof(moved)))
			goto out;
		a = (struct agent_args){ .snapshot_id = copy };
		{
			struct json_object *res;

			if (ctl_call(o, AGENT_OP_DELETE_SNAPSHOT, &a, &res) == 0)
				json_object_put(res);
		}
	}
	if (o->json) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "SnapshotId", json_object_new_string(
			*moved ? moved : copy));
		json_object_object_add(j, "SourceSnapshotId", json_object_new_string(snap));
		json_object_object_add(j, "BytesCopied", json_object_new_int64(src.size));
		ctl_print_json(j);
		json_object_put(j);
	} else {
		puts(*moved ? moved : copy);
	}
	r = 0;
out:
	detach_if_ours(o, &dst);
	detach_if_ours(o, &src);
	delete_disk(o, enc);
	delete_disk(o, plain);
	return r;
}
