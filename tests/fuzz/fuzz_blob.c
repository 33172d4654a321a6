// SPDX-License-Identifier: GPL-2.0
/*
 * CiphertextBlob decoding (blob.c).  The first byte picks a mode:
 *   0: the rest is base64 text, as a client sends it;
 *   1: the rest is the raw blob, base64-encoded here, opened with the
 *      harness key (the seeds are real blobs sealed with it);
 *   2: the rest is a plaintext: seal, parse, open gives it back.
 */
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "kms_sign.h"

static const unsigned char key[32] = "fuzz-key-0123456789abcdef-fuzz!";

static void open_blob(const char *b64)
{
	static unsigned char out[BLOB_MAX_PLAINTEXT];
	struct blob b;
	size_t len = 0;

	if (blob_parse(b64, &b))
		return;
	if (b.header_len > b.raw_len || !b.region[0] || !b.key_id[0] ||
	    !b.version_id[0])
		abort();
	if (blob_open(&b, key, NULL, out, &len) == 0 && len > BLOB_MAX_PLAINTEXT)
		abort();
	blob_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char out[BLOB_MAX_PLAINTEXT];
	char *text, *b64 = NULL;
	struct blob b;
	size_t len = 0;

	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0:
		text = strndup((const char *)data + 1, size - 1);
		if (text)
			open_blob(text);
		free(text);
		break;
	case 1:
		b64 = kms_base64_encode(data + 1, size - 1);
		if (b64)
			open_blob(b64);
		break;
	case 2:
		if (size - 1 > BLOB_MAX_PLAINTEXT)
			break;
		if (blob_seal("cn-hangzhou", "key-1", "ver-1", key, NULL,
			      data + 1, size - 1, &b64))
			abort();
		if (blob_parse(b64, &b) ||
		    blob_open(&b, key, NULL, out, &len) || len != size - 1 ||
		    memcmp(out, data + 1, len))
			abort();
		blob_release(&b);
		break;
	}
	free(b64);
	return 0;
}
