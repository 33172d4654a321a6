// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "log.h"
#include "store.h"

int store_new_id(const char *prefix, char *buf, size_t len)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[20];
	size_t p;

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -EIO;
	p = (size_t)snprintf(buf, len, "%s-", prefix);
	if (p + sizeof(rnd) + 1 > len)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < sizeof(rnd); i++)
		buf[p++] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	buf[p] = '\0';
	return 0;
}

int store_path(struct agent *a, const char *region, const char *id,
	       char *path, size_t len)
{
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/%s", a->state_dir, region);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if ((size_t)snprintf(path, len, "%s/%s.img", dir, id) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static bool is_id(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) || !s[n])
		return false;
	for (s += n; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static bool is_token(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

/*
 * A header with a good checksum can still name things the agent must not
 * pass on: its fields go into a dm table line, a keyring description and
 * KMS requests.  Accept only what this agent writes.
 */
static const char *header_refusal(const struct disk_header *h)
{
	bool encrypted = h->flags & DISK_HEADER_F_ENCRYPTED;

	if (!is_id(h->object_id, h->flags & DISK_HEADER_F_SNAPSHOT ? "s-" : "d-"))
		return "object id";
	if (h->source_id[0] && !is_id(h->source_id, "d-") &&
	    !is_id(h->source_id, "s-"))
		return "source id";
	if (!is_id(h->lineage_id, "l-"))
		return "lineage id";
	if (!is_token(h->region, "-") || !is_token(h->category, "_"))
		return "region or category";
	if (strcmp(h->cipher, encrypted ? "aes-xts-plain64" : "none"))
		return "cipher";
	/* disk_header_decode() checked the sector size and offset's alignment. */
	if (h->data_offset > (1ull << 30))
		return "data offset";
	if (h->data_size < AGENT_DISK_SIZE_MIN || h->data_size > AGENT_DISK_SIZE_MAX ||
	    h->data_size % AGENT_DISK_SIZE_ALIGN)
		return "data size";
	if (encrypted && (!is_token(h->kms_key_id, "-_/:.") ||
			  !is_token(h->wrapped_key, "+/=")))
		return "KMS key id or wrapped key";
	return NULL;
}

int store_read_header(const char *path, struct disk_header *h,
		      char *why, size_t why_len)
{
	const char *refused;
	int fd, r, repaired = 0;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = disk_header_read(fd, h, &repaired);
	if (r == 0 && repaired)
		log_warn("%s: %d damaged header cop%s recovered", path,
			 repaired, repaired == 1 ? "y" : "ies");
	close(fd);
	if (r < 0)
		return r;
	refused = header_refusal(h);
	if (refused) {
		snprintf(why, why_len, "its header has a bad %s", refused);
		return -EPROTO;
	}
	return 0;
}

/* Copy [off, off + len) from @in to @out, skipping holes of @in. */
static int copy_sparse(int in, int out, off_t off, off_t len)
{
	off_t end = off + len, data, hole;

	while (off < end) {
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
			ssize_t n = copy_file_range(in, &o_in, out, &o_out,
						    (size_t)(hole - off), 0);

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
		}
	}
	return 0;
}

/*
 * Stores are sparse, so disks together may promise more than the file
 * system holds (thin provisioning); one disk larger than all of its free
 * space could never be filled and is refused.
 */
uint64_t store_free_bytes(const char *path)
{
	char dir[600];
	struct statvfs vfs;

	snprintf(dir, sizeof(dir), "%s", path);
	if (statvfs(dirname(dir), &vfs) < 0)
		return UINT64_MAX;	/* unknown: let the write say */
	return (uint64_t)vfs.f_bavail * vfs.f_frsize;
}

static int check_space(const char *path, uint64_t bytes)
{
	return bytes > store_free_bytes(path) ? -ENOSPC : 0;
}

int store_build(const char *path, struct disk_header *h,
		const char *src_path, uint64_t copy_len)
{
	char tmp[600];
	int fd, in = -1, r;

	if (access(path, F_OK) < 0) {	/* a rewrite frees the old store */
		r = check_space(path, h->data_offset + h->data_size);
		if (r < 0)
			return r;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)(h->data_offset + h->data_size)) < 0) {
		r = -errno;
		goto fail;
	}
	r = disk_header_write(fd, h);
	if (r < 0)
		goto fail;
	if (src_path) {
		in = open(src_path, O_RDONLY | O_CLOEXEC);
		if (in < 0) {
			r = -errno;
			goto fail;
		}
		if (copy_len > h->data_size)
			copy_len = h->data_size;
		r = copy_sparse(in, fd, (off_t)h->data_offset, (off_t)copy_len);
		if (r < 0)
			goto fail;
	}
	if (fsync(fd) < 0 || rename(tmp, path) < 0) {
		r = -errno;
		goto fail;
	}
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
