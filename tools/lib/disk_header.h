/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ecsenc disk header: what makes a backing store self-describing.
 *
 * Two copies of one 4096-byte block sit at the start of every backing store
 * (disk or snapshot), at byte 0 and byte 4096; each carries a SHA-256 over
 * itself and a sequence number.  The data area starts at data_offset (1 MiB
 * by default) and is plain dm-crypt-compatible ciphertext (aes-xts-plain64,
 * IV = sector number relative to the data area) or, for an unencrypted
 * disk, plain data.  Documentation/on-disk-format.md is the reference.
 */
#ifndef ECSENC_DISK_HEADER_H
#define ECSENC_DISK_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "region_id.h"

#define DISK_HEADER_SIZE		4096u
#define DISK_HEADER_COPIES		2
#define DISK_HEADER_DATA_OFFSET		(1024u * 1024u)
#define DISK_HEADER_VERSION		1u

#define DISK_HEADER_F_ENCRYPTED		0x1u	/* data area is ciphertext */
#define DISK_HEADER_F_SNAPSHOT		0x2u	/* a snapshot, not a disk */

struct disk_header {
	uint64_t seqno;			/* bumped on every rewrite */
	uint32_t flags;			/* DISK_HEADER_F_* */
	uint32_t sector_size;		/* XTS data unit, bytes (512..4096) */
	uint64_t data_offset;		/* bytes from the start of the store */
	uint64_t data_size;		/* bytes of disk the user sees */
	uint64_t created;		/* unix seconds */
	char object_id[32];		/* d-... or s-... */
	char source_id[32];		/* snapshot: its disk; disk: its snapshot */
	char lineage_id[32];		/* l-...: shared by a key's disks/snaps */
	char region[REGION_ID_MAX + 1];	/* KMS region, e.g. cn-hangzhou */
	char category[32];		/* cloud_ssd, ... */
	char cipher[32];		/* "aes-xts-plain64" or "none" */
	char kms_key_id[128];		/* the CMK that wraps the data key */
	char encryption_context[512];	/* JSON text sent to KMS Decrypt */
	char wrapped_key[2048];		/* KMS CiphertextBlob (base64 text) */
	char kms_key_version[64];	/* CMK version that wrapped it; "": unknown */
};

/* Serialise @h into @buf (DISK_HEADER_SIZE bytes) with its checksum. */
int disk_header_encode(const struct disk_header *h, unsigned char *buf);
/* Parse and verify one copy; -EBADMSG on a bad checksum or magic. */
int disk_header_decode(const unsigned char *buf, struct disk_header *h);

/*
 * Read the header of the store open on @fd.  A damaged copy is rewritten
 * from the good one (with @repaired set to the number of copies fixed).
 * Returns -EBADMSG when neither copy is valid.
 */
int disk_header_read(int fd, struct disk_header *h, int *repaired);
/* Bump seqno and write both copies (primary first), then fsync. */
int disk_header_write(int fd, struct disk_header *h);

/*
 * The same over any store that can read, write and flush at an offset
 * (an RBD image): each call returns 0 or -errno; a short transfer is an
 * error.  A read of -ENOENT (the store is gone) is returned as is.
 */
struct disk_header_io {
	int (*pread)(void *ctx, void *buf, size_t len, uint64_t off);
	int (*pwrite)(void *ctx, const void *buf, size_t len, uint64_t off);
	int (*flush)(void *ctx);
	void *ctx;
};

int disk_header_read_io(const struct disk_header_io *io, struct disk_header *h,
			int *repaired);
int disk_header_write_io(const struct disk_header_io *io, struct disk_header *h);

#endif
