// SPDX-License-Identifier: GPL-2.0
/*
 * EncryptionContext parsing and canonicalization (context.c): the input
 * is a form body, so JSON, flattened and mixed contexts all appear.  An
 * accepted context is a sequence of (4-byte length, key, 4-byte length,
 * value) with keys strictly ascending, and parsing it twice gives the
 * same bytes: two requests with the same context compare equal.
 */
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "emulator.h"
#include "form.h"

static size_t get_len(const unsigned char *p)
{
	return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
}

/* Aborts unless @c is well formed. */
static void check_canonical(const struct enc_context *c)
{
	const unsigned char *p = c->bytes, *end;
	const unsigned char *prev = NULL;
	size_t prev_len = 0;

	if (!c->len)
		return;
	end = p + c->len;
	while (p < end) {
		size_t klen, vlen;
		int cmp;

		if (end - p < 4 || (size_t)(end - p - 4) < (klen = get_len(p)))
			abort();
		if (!klen || memchr(p + 4, '\0', klen))
			abort();
		if (prev) {
			cmp = memcmp(prev, p + 4, klen < prev_len ? klen : prev_len);
			if (cmp > 0 || (cmp == 0 && prev_len >= klen))
				abort();
		}
		prev = p + 4;
		prev_len = klen;
		p += 4 + klen;
		if (end - p < 4 || (size_t)(end - p - 4) < (vlen = get_len(p)))
			abort();
		p += 4 + vlen;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "EncryptionContext",
		"SourceEncryptionContext", "DestinationEncryptionContext" };
	static struct kms_request req;
	struct enc_context a, b;
	size_t i;

	memset(&req, 0, sizeof(req));
	req_parse_form(&req, (const char *)data, size);
	for (i = 0; i < 3; i++) {
		if (enc_context_parse(&req, names[i], &a))
			continue;
		check_canonical(&a);
		if (enc_context_parse(&req, names[i], &b) || a.len != b.len ||
		    (a.len && memcmp(a.bytes, b.bytes, a.len)))
			abort();
		enc_context_free(&a);
		enc_context_free(&b);
	}
	req_free_params(&req);
	return 0;
}
