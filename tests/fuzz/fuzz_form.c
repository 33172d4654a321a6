// SPDX-License-Identifier: GPL-2.0
/*
 * The emulator's form body parser (form.c) and parameter lookups: every
 * parameter it keeps is a C string with no NUL cut out of it, and there
 * are never more than KMS_MAX_PARAMS.
 */
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "emulator.h"
#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kms_request req;
	struct enc_context c;
	size_t i;

	memset(&req, 0, sizeof(req));
	req_parse_form(&req, (const char *)data, size);
	if (req.nparams > KMS_MAX_PARAMS)
		abort();
	for (i = 0; i < req.nparams; i++)
		if (!req.params[i].name || !req.params[i].value ||
		    strlen(req.params[i].name) > size ||
		    strlen(req.params[i].value) > size)
			abort();
	req_param(&req, "Action");
	req_param(&req, "Signature");
	if (enc_context_parse(&req, "EncryptionContext", &c) == 0)
		enc_context_free(&c);
	req_free_params(&req);
	return 0;
}
