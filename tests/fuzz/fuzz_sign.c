// SPDX-License-Identifier: GPL-2.0
/*
 * Request authentication (auth.c): v1 signatures and ACS3-HMAC-SHA256,
 * with a real nonce store.  Input: one flag byte, then
 *
 *   <query or form parameters> "\n\n" <"name: value" header lines> "\n\n" <body>
 *
 * Flags: 1 GET (else POST); 2 stamp the request with the current time
 * (Timestamp and x-acs-date), as fuzzed times are almost never inside the
 * window; 4 sign it as v1 with the test credential, so that the nonce
 * path is reached.  Accepted requests name a configured access key.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "form.h"
#include "kms_sign.h"
#include "support.h"

static const char *part(const char **p, const char *end, size_t *len)
{
	const char *start = *p, *sep = memmem(start, (size_t)(end - start), "\n\n", 2);

	*len = (size_t)((sep ? sep : end) - start);
	*p = sep ? sep + 2 : end;
	return start;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kms_request req;
	struct emulator *emu = fuzz_emulator();
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	const char *params, *headers, *body;
	size_t plen, hlen, blen, i;
	struct fuzz_headers h;
	struct kms_ctx ctx;
	char stamp[KMS_TIMESTAMP_LEN + 1];
	enum kms_err err;

	if (!size)
		return 0;
	params = part(&p, end, &plen);
	headers = part(&p, end, &hlen);
	body = p;
	blen = (size_t)(end - p);

	memset(&req, 0, sizeof(req));
	req.method = data[0] & 1 ? "GET" : "POST";
	req.path = "/";
	req_parse_form(&req, params, plen);
	for (i = 0; i < req.nparams; i++)
		req.params[i].in_query = 1;
	fuzz_headers_parse(&h, headers, hlen);
	req.header = fuzz_header;
	req.conn = &h;
	req.body = strndup(body, blen);
	req.body_len = req.body ? strlen(req.body) : 0;
	if (data[0] & 2) {
		kms_format_timestamp(time(NULL), stamp);
		fuzz_set_param(&req, "Timestamp", stamp);
		for (i = 0; i < h.n; i++) {
			if (strcasecmp(h.name[i], "x-acs-date"))
				continue;
			free(h.value[i]);
			h.value[i] = strdup(stamp);
		}
	}
	if (data[0] & 4)
		fuzz_sign_v1(&req, FUZZ_AK, FUZZ_SECRET);

	memset(&ctx, 0, sizeof(ctx));
	ctx.emu = emu;
	ctx.req = &req;
	ctx.action = "-";
	ctx.access_key_id = "-";
	strcpy(ctx.region, "cn-hangzhou");
	auth_action(&req);
	auth_version(&req);
	err = auth_verify(&ctx);
	if (err == KMS_OK && !credentials_find(emu->creds, ctx.access_key_id))
		abort();

	req_free_params(&req);
	free(req.body);
	fuzz_headers_free(&h);
	return 0;
}
