// SPDX-License-Identifier: GPL-2.0
/*
 * The KMS client's answer parser (kms_response_parse): the first byte
 * picks the HTTP status, the rest is the body.  0 means a 200 answer
 * with a JSON object; -EPROTO means a KMS error Code was found.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kms_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long status[] = { 200, 400, 404, 409, 500, 503, 0, 302 };
	struct kms_response r;
	char *body;
	int ret;

	if (!size)
		return 0;
	body = malloc(size);
	if (!body)
		return 0;
	memcpy(body, data + 1, size - 1);
	body[size - 1] = '\0';
	memset(&r, 0, sizeof(r));
	r.http_status = status[data[0] % 8];
	ret = kms_response_parse(data[0] & 8 ? NULL : body, size - 1, &r);
	if ((ret == 0) != (r.http_status == 200 && r.body != NULL) ||
	    (ret && ret != -EPROTO && ret != -EIO) ||
	    (ret == -EPROTO) != (ret != 0 && r.code[0] != '\0') ||
	    (r.body && !json_object_is_type(r.body, json_type_object)))
		abort();
	kms_error_is_transient(ret, &r);
	kms_response_release(&r);
	free(body);
	return 0;
}
