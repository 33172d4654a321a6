// SPDX-License-Identifier: GPL-2.0
/* Header encode/decode, checksum, and recovery of a damaged copy. */
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "disk_header.h"
#include "unit.h"

static void sample(struct disk_header *h)
{
	memset(h, 0, sizeof(*h));
	h->flags = DISK_HEADER_F_ENCRYPTED;
	h->sector_size = 512;
	h->data_offset = DISK_HEADER_DATA_OFFSET;
	h->data_size = 64 << 20;
	h->created = 1700000000;
	strcpy(h->object_id, "d-abc");
	strcpy(h->lineage_id, "l-xyz");
	strcpy(h->region, "cn-hangzhou");
	strcpy(h->category, "cloud_ssd");
	strcpy(h->cipher, "aes-xts-plain64");
	strcpy(h->kms_key_id, "key-123");
	strcpy(h->encryption_context, "{\"ecsenc:lineage\":\"l-xyz\"}");
	memset(h->wrapped_key, 'B', sizeof(h->wrapped_key) - 1);
}

int main(int argc, char **argv)
{
	unsigned char buf[DISK_HEADER_SIZE], copy[DISK_HEADER_SIZE];
	struct disk_header h, g;
	char path[512];
	int fd, fixed = -1;

	sample(&h);
	REQUIRE(disk_header_encode(&h, buf) == 0);
	REQUIRE(!memcmp(buf, "ECSENCH", 8));
	REQUIRE(disk_header_decode(buf, &g) == 0);
	REQUIRE(!memcmp(&h, &g, sizeof(h)));

	/* Any flipped byte is caught by the checksum. */
	for (size_t off = 0; off < DISK_HEADER_SIZE; off += 97) {
		memcpy(copy, buf, sizeof(buf));
		copy[off] ^= 0x40;
		REQUIRE(disk_header_decode(copy, &g) < 0);
	}
	/* A text field without its NUL is refused at encode time. */
	memset(g.region, 'x', sizeof(g.region));
	REQUIRE(disk_header_encode(&g, copy) < 0);

	/* Two copies on a file; damage the primary, read, get it repaired. */
	snprintf(path, sizeof(path), "%s/store", argc > 1 ? argv[1] : "/tmp");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	REQUIRE(fd >= 0);
	REQUIRE(ftruncate(fd, DISK_HEADER_DATA_OFFSET) == 0);
	REQUIRE(disk_header_write(fd, &h) == 0);
	REQUIRE(h.seqno == 1);
	REQUIRE(pwrite(fd, "garbage!", 8, 100) == 8);
	REQUIRE(disk_header_read(fd, &g, &fixed) == 0);
	REQUIRE(fixed == 1);
	REQUIRE(!strcmp(g.object_id, "d-abc") && g.seqno == 1);
	REQUIRE(disk_header_read(fd, &g, &fixed) == 0 && fixed == 0);

	/* Damaged secondary: repaired from the primary. */
	REQUIRE(pwrite(fd, "\xff\xff\xff\xff", 4, DISK_HEADER_SIZE + 4000) == 4);
	REQUIRE(disk_header_read(fd, &g, &fixed) == 0 && fixed == 1);

	/* A stale copy (older seqno) is brought up to date. */
	pread(fd, copy, sizeof(copy), 0);
	strcpy(h.kms_key_id, "key-456");
	REQUIRE(disk_header_write(fd, &h) == 0);
	REQUIRE(pwrite(fd, copy, sizeof(copy), DISK_HEADER_SIZE) == DISK_HEADER_SIZE);
	REQUIRE(disk_header_read(fd, &g, &fixed) == 0 && fixed == 1);
	REQUIRE(!strcmp(g.kms_key_id, "key-456") && g.seqno == 2);

	/* Both damaged: refused. */
	REQUIRE(pwrite(fd, "x", 1, 10) == 1);
	REQUIRE(pwrite(fd, "x", 1, DISK_HEADER_SIZE + 10) == 1);
	REQUIRE(disk_header_read(fd, &g, &fixed) < 0);
	close(fd);
	return unit_summary("disk header: all checks passed");
}
