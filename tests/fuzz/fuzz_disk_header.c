// SPDX-License-Identifier: GPL-2.0
/*
 * The disk header decoder and its repair path: two fuzzed 4096-byte copies
 * in a memfd, read with disk_header_read(), which rewrites a damaged or
 * stale copy.  A byte after the two copies, when there is one, says which
 * copies get a correct checksum (bit 0: the primary, bit 1: the
 * secondary), so that mutations reach the field checks behind it.  Whatever it accepts must read back the same with nothing
 * left to repair, and must encode and decode to itself.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "disk_header.h"
#include "support.h"

static int same_header(const struct disk_header *a, const struct disk_header *b)
{
	return a->seqno == b->seqno && a->flags == b->flags &&
	       a->sector_size == b->sector_size &&
	       a->data_offset == b->data_offset &&
	       a->data_size == b->data_size && a->created == b->created &&
	       !strcmp(a->object_id, b->object_id) &&
	       !strcmp(a->source_id, b->source_id) &&
	       !strcmp(a->lineage_id, b->lineage_id) &&
	       !strcmp(a->region, b->region) &&
	       !strcmp(a->category, b->category) &&
	       !strcmp(a->cipher, b->cipher) &&
	       !strcmp(a->kms_key_id, b->kms_key_id) &&
	       !strcmp(a->encryption_context, b->encryption_context) &&
	       !strcmp(a->wrapped_key, b->wrapped_key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char img[DISK_HEADER_COPIES * DISK_HEADER_SIZE];
	unsigned char buf[DISK_HEADER_SIZE];
	struct disk_header h, again;
	int fd, fixed = -1, fixed_again = -1;

	memset(img, 0, sizeof(img));
	memcpy(img, data, size < sizeof(img) ? size : sizeof(img));
	for (int i = 0; size > sizeof(img) && i < DISK_HEADER_COPIES; i++) {
		unsigned char *copy = img + i * DISK_HEADER_SIZE;

		if (data[sizeof(img)] & (1u << i))
			SHA256(copy, DISK_HEADER_SIZE - SHA256_DIGEST_LENGTH,
			       copy + DISK_HEADER_SIZE - SHA256_DIGEST_LENGTH);
	}
	disk_header_decode(img, &h);
	disk_header_decode(img + DISK_HEADER_SIZE, &h);

	fd = fuzz_memfd(img, sizeof(img));
	if (disk_header_read(fd, &h, &fixed) == 0) {
		if (fixed < 0 || fixed > DISK_HEADER_COPIES)
			abort();
		if (disk_header_read(fd, &again, &fixed_again) ||
		    fixed_again != 0 || !same_header(&h, &again))
			abort();
		if (disk_header_encode(&h, buf) ||
		    disk_header_decode(buf, &again) || !same_header(&h, &again))
			abort();
	}
	close(fd);
	return 0;
}
