// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "emulator.h"
#include "form.h"
#include "kms_sign.h"

static void free_wiped(char *s)
{
	if (s)
		OPENSSL_clear_free(s, strlen(s));
}

int req_add_param(struct kms_request *req, char *name, char *value,
		  int in_query)
{
	if (!name || !value || req->nparams == KMS_MAX_PARAMS) {
		free(name);
		free_wiped(value);
		return -EINVAL;
	}
	req->params[req->nparams].name = name;
	req->params[req->nparams].value = value;
	req->params[req->nparams].in_query = in_query;
	req->nparams++;
	return 0;
}

int req_parse_form(struct kms_request *req, const char *body, size_t len)
{
	const char *p = body, *end = body + len;
	int ret = 0;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));

		if (stop > p) {
			const char *kend = eq ? eq : stop;

			if (req_add_param(req,
				kms_percent_decode(p, (size_t)(kend - p), 1),
				eq ? kms_percent_decode(eq + 1,
					(size_t)(stop - eq - 1), 1) : strdup(""),
				0))
				ret = -EINVAL;
		}
		p = stop + 1;
	}
	return ret;
}

void req_free_params(struct kms_request *req)
{
	size_t i;

	for (i = 0; i < req->nparams; i++) {
		free(req->params[i].name);
		free_wiped(req->params[i].value);
	}
	req->nparams = 0;
}
