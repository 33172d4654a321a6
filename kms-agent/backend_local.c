// SPDX-License-Identifier: GPL-2.0
/*
 * The local backend: each store is a sparse file
 * <state-dir>/<region>/<id>.img, attached through a loop device.  A store
 * is built as <id>.img.new and renamed into place, so a crash leaves
 * either the old store or the new one, and at worst a .new file that
 * clean_partial removes.  Snapshots, disks from snapshots and rollbacks
 * share the data area's extents (FICLONERANGE) where the file system can
 * (XFS, btrfs), and copy it, holes kept, where it cannot.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "backend.h"
#include "kernel.h"
#include "log.h"
#include "sync_dir.h"

static char state_dir[512];
/* Two binds racing for the same free loop device: one at a time. */
static pthread_mutex_t loop_lock = PTHREAD_MUTEX_INITIALIZER;

const char *backend_copy_name(enum backend_copy how)
{
	switch (how) {
	case BACKEND_COPY_REFLINK:
		return "reflink";
	case BACKEND_COPY_BYTES:
		return "copy";
	case BACKEND_COPY_CLONE:
		return "clone";
	case BACKEND_COPY_ROLLBACK:
		return "rollback";
	default:
		return "none";
	}
}

/* The one place that knows the layout of the state dir's stores. */
static int store_path(const char *region, const char *id, char *path,
		      size_t len)
{
	char dir[600];

	snprintf(dir, sizeof(dir), "%s/%s", state_dir, region);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if ((size_t)snprintf(path, len, "%s/%s.img", dir, id) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int ref_path(const struct backend_ref *ref, char *path, size_t len)
{
	return store_path(ref->region, ref->id, path, len);
}

static int local_locate(const struct backend_ref *ref, char *buf, size_t len)
{
	return ref_path(ref, buf, len);
}

/*
 * Stores are sparse, so disks together may promise more than the file
 * system holds (thin provisioning); one disk larger than all of its free
 * space could never be filled and is refused.
 */
static uint64_t free_bytes(const char *path)
{
	char dir[600];
	struct statvfs vfs;

	snprintf(dir, sizeof(dir), "%s", path);
	if (statvfs(dirname(dir), &vfs) < 0)
		return UINT64_MAX;	/* unknown: let the write say */
	return (uint64_t)vfs.f_bavail * vfs.f_frsize;
}

/* Copy [off, off + len) from @in to @out, skipping holes of @in. */
/* copy_file_range() calls are cut to this, so that progress can be told. */
#define COPY_CHUNK	(8 << 20)

static int copy_sparse(int in, int out, off_t off, off_t len)
{
	off_t start = off, end = off + len, data, hole;

	while (off < end) {
		backend_progress("copying the data", (uint64_t)(off - start),
				 (uint64_t)len);
		data = lseek(in, off, SEEK_DATA);
		if (data < 0)
			return errno == ENXIO ? 0 : -errno;
		if (data >= end)
			return 0;
		hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0)
			return -errno;
		if (hole > end)
			hole = end;
		for (off = data; off < hole;) {
			off_t o_in = off, o_out = off;
			size_t chunk = hole - off < COPY_CHUNK ?
				       (size_t)(hole - off) : COPY_CHUNK;
			ssize_t n = copy_file_range(in, &o_in, out, &o_out,
						    chunk, 0);

			if (n < 0 && (errno == EXDEV || errno == EINVAL ||
				      errno == ENOSYS || errno == EOPNOTSUPP)) {
				char buf[65536];
				size_t want = (size_t)(hole - off) < sizeof(buf) ?
					      (size_t)(hole - off) : sizeof(buf);

				n = pread(in, buf, want, off);
				if (n > 0 && pwrite(out, buf, (size_t)n, off) != n)
					return -EIO;
			}
			if (n < 0)
				return -errno;
			if (n == 0)
				return -EIO;
			off += n;
			backend_progress("copying the data",
					 (uint64_t)(off - start), (uint64_t)len);
		}
	}
	return 0;
}

/* Share @in's extents of [off, off + len) with @out, else copy them. */
static int copy_data(int in, int out, off_t off, off_t len,
		     enum backend_copy *how)
{
	struct file_clone_range fcr = {
		.src_fd = in, .src_offset = (uint64_t)off,
		.src_length = (uint64_t)len, .dest_offset = (uint64_t)off,
	};

	if (ioctl(out, FICLONERANGE, &fcr) == 0) {
		*how = BACKEND_COPY_REFLINK;
		return 0;
	}
	log_debug("no reflink (%m): copying the data area");
	*how = BACKEND_COPY_BYTES;
	return copy_sparse(in, out, off, len);
}

/*
 * Build the store of @h at @path as @path.new and rename it into place,
 * with the data area of @src_path shared or copied in when it is not
 * NULL (at most as much as @h holds).
 */
static int build(const char *path, const struct disk_header *hdr,
		 const char *src_path, enum backend_copy *how)
{
	struct disk_header h = *hdr;
	char tmp[600];
	struct stat st;
	off_t copy_len;
	int fd, in = -1, r;

	*how = BACKEND_COPY_NONE;
	if (access(path, F_OK) < 0 &&	/* a rewrite frees the old store */
	    h.data_offset + h.data_size > free_bytes(path))
		return -ENOSPC;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)(h.data_offset + h.data_size)) < 0) {
		r = -errno;
		goto fail;
	}
	r = disk_header_write(fd, &h);
	if (r < 0)
		goto fail;
	if (src_path) {
		in = open(src_path, O_RDONLY | O_CLOEXEC);
		if (in < 0 || fstat(in, &st) < 0) {
			r = -errno;
			goto fail;
		}
		copy_len = st.st_size - (off_t)h.data_offset;
		if (copy_len > (off_t)h.data_size)
			copy_len = (off_t)h.data_size;
		if (copy_len > 0) {
			r = copy_data(in, fd, (off_t)h.data_offset, copy_len,
				      how);
			if (r < 0)
				goto fail;
		}
	}
	if (fsync(fd) < 0 || rename(tmp, path) < 0) {
		r = -errno;
		goto fail;
	}
	r = sync_dir_of(path);
	if (r < 0)
		log_warn("%s: renamed, but its directory could not be synced: %s",
			 path, strerror(-r));
	if (in >= 0)
		close(in);
	close(fd);
	return 0;
fail:
	log_err("building %s: %s", path, strerror(-r));
	if (in >= 0)
		close(in);
	close(fd);
	unlink(tmp);
	return r;
}

static uint64_t local_space(const char *region)
{
	char path[600];

	if (store_path(region, "probe", path, sizeof(path)) < 0)
		return UINT64_MAX;
	return free_bytes(path);
}

static int local_create(const struct disk_header *h)
{
	enum backend_copy how;
	char path[600];
	int r = store_path(h->region, h->object_id, path, sizeof(path));

	if (r < 0)
		return r;
	if (access(path, F_OK) == 0)
		return -EEXIST;
	return build(path, h, NULL, &how);
}

static int local_recreate(const struct disk_header *h)
{
	enum backend_copy how;
	char path[600];
	int r = store_path(h->region, h->object_id, path, sizeof(path));

	return r < 0 ? r : build(path, h, NULL, &how);
}

static int local_remove(const struct backend_ref *ref)
{
	char path[600];
	int r = ref_path(ref, path, sizeof(path));

	if (r < 0)
		return r;
	if (unlink(path) < 0) {
		if (errno == ENOENT)
			return 0;
		return -errno;
	}
	return sync_dir_of(path);
}

static int local_resize(const struct backend_ref *ref, uint64_t data_size)
{
	char path[600];
	int r = ref_path(ref, path, sizeof(path));

	if (r < 0)
		return r;
	if (truncate(path, (off_t)(DISK_HEADER_DATA_OFFSET + data_size)) < 0)
		return -errno;
	return 0;
}

static int read_header_at(const char *path, struct disk_header *h)
{
	int fd, r, repaired = 0;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = disk_header_read(fd, h, &repaired);
	if (r == 0 && repaired)
		log_warn("%s: %d damaged header cop%s recovered", path,
			 repaired, repaired == 1 ? "y" : "ies");
	close(fd);
	return r;
}

static int local_read_header(const struct backend_ref *ref,
			     struct disk_header *h, char *why, size_t why_len)
{
	char path[600];
	int r = ref_path(ref, path, sizeof(path));

	return r < 0 ? r : read_header_at(path, h);
}

static int local_write_header(const struct backend_ref *ref,
			      struct disk_header *h)
{
	char path[600];
	int fd, r = ref_path(ref, path, sizeof(path));

	if (r < 0)
		return r;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = disk_header_write(fd, h);
	close(fd);
	return r;
}

static int build_from(const struct backend_ref *src,
		      const struct disk_header *h, enum backend_copy *how)
{
	char from[600], to[600];
	int r = ref_path(src, from, sizeof(from));

	if (r == 0)
		r = store_path(h->region, h->object_id, to, sizeof(to));
	return r < 0 ? r : build(to, h, from, how);
}

static int local_snapshot(const struct backend_ref *disk,
			  const struct disk_header *snap, enum backend_copy *how)
{
	return build_from(disk, snap, how);
}

static int local_clone(const struct backend_ref *snap,
		       const struct disk_header *disk, enum backend_copy *how)
{
	return build_from(snap, disk, how);
}

static int local_rollback(const struct backend_ref *snap,
			  const struct disk_header *h, enum backend_copy *how)
{
	return build_from(snap, h, how);
}

static int has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && !strcmp(name + n - s, suffix);
}

/* Visit every file of every region directory that ends in @suffix. */
static int walk(const char *suffix,
		int (*fn)(const char *region, const char *name,
			  const char *path, void *arg), void *arg)
{
	struct dirent *de, *fe;
	char dir[1100], path[1400];
	DIR *top, *d;
	int r = 0;

	top = opendir(state_dir);
	if (!top)
		return -errno;
	while (!r && (de = readdir(top))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", state_dir, de->d_name);
		d = opendir(dir);
		if (!d)
			continue;
		while (!r && (fe = readdir(d))) {
			if (!has_suffix(fe->d_name, suffix))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, fe->d_name);
			r = fn(de->d_name, fe->d_name, path, arg);
		}
		closedir(d);
	}
	closedir(top);
	return r;
}

struct list_walk {
	backend_list_fn fn;
	void *arg;
};

static int list_one(const char *region, const char *name, const char *path,
		    void *arg)
{
	struct list_walk *w = arg;
	struct disk_header h;
	char id[64];
	struct backend_ref ref = { .region = region, .id = id };
	int r;

	snprintf(id, sizeof(id), "%.*s", (int)(strlen(name) - 4), name);
	r = read_header_at(path, &h);
	if (r < 0) {
		log_err("%s: skipped: %s", path, r == -EBADMSG ?
			"both header copies are damaged" : strerror(-r));
		return 0;
	}
	return w->fn(&ref, &h, w->arg);
}

static int local_list(backend_list_fn fn, void *arg)
{
	struct list_walk w = { fn, arg };

	return walk(".img", list_one, &w);
}

static int clean_one(const char *region, const char *name, const char *path,
		     void *arg)
{
	int *count = arg;

	if (unlink(path) < 0) {
		log_err("cannot remove the half-built store %s: %m", path);
		return 0;
	}
	log_info("removed the half-built store %s (the agent stopped while building it)",
		 path);
	(*count)++;
	return 0;
}

static int local_clean_partial(void)
{
	int count = 0, r = walk(".img.new", clean_one, &count);

	return r < 0 ? r : count;
}

static int local_open(const struct backend_ref *ref, struct backend_attach *att,
		      struct backend_dev *dev)
{
	char path[600];
	int fd, r = ref_path(ref, path, sizeof(path));

	if (r < 0)
		return r;
	pthread_mutex_lock(&loop_lock);
	fd = loop_attach(path, dev->path, sizeof(dev->path));
	pthread_mutex_unlock(&loop_lock);
	if (fd < 0)
		return fd;
	dev->handle = fd;
	return 0;
}

/* The loop device clears itself once the dm table lets go of it. */
static void local_close(struct backend_dev *dev)
{
	if (dev->handle >= 0)
		close(dev->handle);
	dev->handle = -1;
}

/* The loop device cleared itself when the table let go of it. */
static int local_unmap(const struct backend_ref *ref)
{
	return 0;
}

static const struct backend_ops local_ops = {
	.name = "local",
	.create = local_create,
	.recreate = local_recreate,
	.remove = local_remove,
	.resize = local_resize,
	.read_header = local_read_header,
	.write_header = local_write_header,
	.snapshot = local_snapshot,
	.clone = local_clone,
	.rollback = local_rollback,
	.list = local_list,
	.clean_partial = local_clean_partial,
	.open = local_open,
	.close = local_close,
	.unmap = local_unmap,
	.space = local_space,
	.locate = local_locate,
};

const struct backend_ops *backend_local_init(const char *dir)
{
	snprintf(state_dir, sizeof(state_dir), "%s", dir);
	return &local_ops;
}
