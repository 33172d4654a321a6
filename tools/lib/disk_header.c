// SPDX-License-Identifier: GPL-2.0
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "disk_header.h"
#include "log.h"

/*
 * Byte layout of one copy (little endian).  Every text field is NUL padded
 * and must be NUL terminated.
 */
#define OFF_MAGIC		0	/* 8: "ECSENCH\0" */
#define OFF_VERSION		8	/* 4 */
#define OFF_HDR_SIZE		12	/* 4 */
#define OFF_SEQNO		16	/* 8 */
#define OFF_FLAGS		24	/* 4 */
#define OFF_SECTOR_SIZE		28	/* 4 */
#define OFF_DATA_OFFSET		32	/* 8 */
#define OFF_DATA_SIZE		40	/* 8 */
#define OFF_CREATED		48	/* 8 */
#define OFF_COPY_INDEX		56	/* 4: 0 primary, 1 secondary */
#define OFF_OBJECT_ID		64	/* 32 */
#define OFF_SOURCE_ID		96	/* 32 */
#define OFF_LINEAGE_ID		128	/* 32 */
#define OFF_REGION		160	/* 32 */
#define OFF_CATEGORY		192	/* 32 */
#define OFF_CIPHER		224	/* 32 */
#define OFF_KMS_KEY_ID		256	/* 128 */
#define OFF_ENC_CONTEXT		384	/* 512 */
#define OFF_WRAPPED_KEY		896	/* 2048 */
#define OFF_KEY_VERSION		2944	/* 64: all zeros in older stores */
#define OFF_CHECKSUM		(DISK_HEADER_SIZE - SHA256_DIGEST_LENGTH)

/*
 * put_text and get_text take a field's width from struct disk_header: the
 * region's, which REGION_ID_MAX sets, must stay the layout's 32 bytes.
 */
static_assert(sizeof(((struct disk_header *)0)->region) ==
	      OFF_CATEGORY - OFF_REGION,
	      "REGION_ID_MAX would change the on-disk region field");

static const char header_magic[8] = "ECSENCH";

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static int put_text(unsigned char *p, const char *s, size_t field)
{
	size_t n = strnlen(s, field);

	if (n >= field)
		return -ENAMETOOLONG;
	memcpy(p, s, n);
	return 0;
}

static int get_text(char *dst, const unsigned char *p, size_t field)
{
	if (!memchr(p, '\0', field))
		return -EBADMSG;
	memcpy(dst, p, field);
	return 0;
}

#define TEXT_FIELDS(X) \
	X(OFF_OBJECT_ID, object_id) X(OFF_SOURCE_ID, source_id) \
	X(OFF_LINEAGE_ID, lineage_id) X(OFF_REGION, region) \
	X(OFF_CATEGORY, category) X(OFF_CIPHER, cipher) \
	X(OFF_KMS_KEY_ID, kms_key_id) X(OFF_ENC_CONTEXT, encryption_context) \
	X(OFF_WRAPPED_KEY, wrapped_key) X(OFF_KEY_VERSION, kms_key_version)

static int encode_copy(const struct disk_header *h, unsigned char *buf,
		       uint32_t copy_index)
{
	int r;

	memset(buf, 0, DISK_HEADER_SIZE);
	memcpy(buf + OFF_MAGIC, header_magic, sizeof(header_magic));
	put_le(buf + OFF_VERSION, DISK_HEADER_VERSION, 4);
	put_le(buf + OFF_HDR_SIZE, DISK_HEADER_SIZE, 4);
	put_le(buf + OFF_SEQNO, h->seqno, 8);
	put_le(buf + OFF_FLAGS, h->flags, 4);
	put_le(buf + OFF_SECTOR_SIZE, h->sector_size, 4);
	put_le(buf + OFF_DATA_OFFSET, h->data_offset, 8);
	put_le(buf + OFF_DATA_SIZE, h->data_size, 8);
	put_le(buf + OFF_CREATED, h->created, 8);
	put_le(buf + OFF_COPY_INDEX, copy_index, 4);
#define PUT(off, field) \
	r = put_text(buf + (off), h->field, sizeof(h->field)); \
	if (r < 0) \
		return r;
	TEXT_FIELDS(PUT)
#undef PUT
	SHA256(buf, OFF_CHECKSUM, buf + OFF_CHECKSUM);
	return 0;
}

int disk_header_encode(const struct disk_header *h, unsigned char *buf)
{
	return encode_copy(h, buf, 0);
}

int disk_header_decode(const unsigned char *buf, struct disk_header *h)
{
	unsigned char sum[SHA256_DIGEST_LENGTH];
	int r;

	if (memcmp(buf + OFF_MAGIC, header_magic, sizeof(header_magic)))
		return -EBADMSG;
	SHA256(buf, OFF_CHECKSUM, sum);
	if (memcmp(sum, buf + OFF_CHECKSUM, sizeof(sum)))
		return -EBADMSG;
	if (get_le(buf + OFF_VERSION, 4) != DISK_HEADER_VERSION ||
	    get_le(buf + OFF_HDR_SIZE, 4) != DISK_HEADER_SIZE)
		return -EPROTONOSUPPORT;
	memset(h, 0, sizeof(*h));
	h->seqno = get_le(buf + OFF_SEQNO, 8);
	h->flags = (uint32_t)get_le(buf + OFF_FLAGS, 4);
	h->sector_size = (uint32_t)get_le(buf + OFF_SECTOR_SIZE, 4);
	h->data_offset = get_le(buf + OFF_DATA_OFFSET, 8);
	h->data_size = get_le(buf + OFF_DATA_SIZE, 8);
	h->created = get_le(buf + OFF_CREATED, 8);
#define GET(off, field) \
	r = get_text(h->field, buf + (off), sizeof(h->field)); \
	if (r < 0) \
		return r;
	TEXT_FIELDS(GET)
#undef GET
	if (h->sector_size < 512 || h->sector_size > 4096 ||
	    (h->sector_size & (h->sector_size - 1)) ||
	    h->data_offset < DISK_HEADER_COPIES * DISK_HEADER_SIZE ||
	    h->data_offset % 4096)
		return -EBADMSG;
	return 0;
}

static int fd_pread(void *ctx, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(*(int *)ctx, buf, len, (off_t)off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int fd_pwrite(void *ctx, const void *buf, size_t len, uint64_t off)
{
	ssize_t n = pwrite(*(int *)ctx, buf, len, (off_t)off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int fd_flush(void *ctx)
{
	return fsync(*(int *)ctx) < 0 ? -errno : 0;
}

int disk_header_read_io(const struct disk_header_io *io, struct disk_header *h,
			int *repaired)
{
	unsigned char buf[DISK_HEADER_SIZE];
	struct disk_header copy[DISK_HEADER_COPIES];
	int valid[DISK_HEADER_COPIES];
	int best = -1, fixed = 0, r;

	for (int i = 0; i < DISK_HEADER_COPIES; i++) {
		r = io->pread(io->ctx, buf, sizeof(buf),
			      (uint64_t)i * DISK_HEADER_SIZE);
		if (r == -ENOENT)
			return r;	/* the store itself is gone */
		valid[i] = r == 0 && disk_header_decode(buf, &copy[i]) == 0;
		if (valid[i] && (best < 0 || copy[i].seqno > copy[best].seqno))
			best = i;
	}
	if (best < 0)
		return -EBADMSG;
	*h = copy[best];

	for (int i = 0; i < DISK_HEADER_COPIES; i++) {
		if (valid[i] && copy[i].seqno == h->seqno)
			continue;
		log_warn("disk %s: header copy %d is %s, rewriting it from copy %d",
			 h->object_id, i, valid[i] ? "stale" : "damaged", best);
		r = encode_copy(h, buf, (uint32_t)i);
		if (r == 0)
			r = io->pwrite(io->ctx, buf, sizeof(buf),
				       (uint64_t)i * DISK_HEADER_SIZE);
		if (r < 0)
			return r;
		fixed++;
	}
	if (fixed) {
		r = io->flush(io->ctx);
		if (r < 0)
			return r;
	}
	if (repaired)
		*repaired = fixed;
	return 0;
}

int disk_header_write_io(const struct disk_header_io *io, struct disk_header *h)
{
	unsigned char buf[DISK_HEADER_SIZE];
	int r;

	h->seqno++;
	for (int i = 0; i < DISK_HEADER_COPIES; i++) {
		r = encode_copy(h, buf, (uint32_t)i);
		if (r == 0)
			r = io->pwrite(io->ctx, buf, sizeof(buf),
				       (uint64_t)i * DISK_HEADER_SIZE);
		if (r == 0)
			r = io->flush(io->ctx);
		if (r < 0)
			return r;
	}
	return 0;
}

int disk_header_read(int fd, struct disk_header *h, int *repaired)
{
	struct disk_header_io io = { fd_pread, fd_pwrite, fd_flush, &fd };

	return disk_header_read_io(&io, h, repaired);
}

int disk_header_write(int fd, struct disk_header *h)
{
	struct disk_header_io io = { fd_pread, fd_pwrite, fd_flush, &fd };

	return disk_header_write_io(&io, h);
}
