// SPDX-License-Identifier: GPL-2.0
/*
 * Whole requests through the router, against a real emulator state (a
 * SQLite database, root key and nonce store in a temporary directory).
 * The input is a form body (Action=...&KeyId=...); the harness adds the
 * common parameters and signs it with the test credential (or, when the
 * first byte is '!', which is then skipped, with the admin one), so that
 * it gets past authentication and reaches the actions.  Every answer is a
 * JSON object with a RequestId, and an error answer has a Code.
 */
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "json_wipe.h"
#include "router.h"
#include "support.h"

static const char *const common[][2] = {
	{ "Version", KMS_API_VERSION },
	{ "Format", "JSON" },
	{ "SignatureMethod", "HMAC-SHA1" },
	{ "SignatureVersion", "1.0" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kms_request req;
	static struct fuzz_headers none;
	struct emulator *emu = fuzz_emulator();
	struct json_object *answer = NULL, *v;
	int admin = size && data[0] == '!';
	size_t i;
	int status;

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = "/";
	req.header = fuzz_header;
	req.conn = &none;
	req_parse_form(&req, (const char *)data + admin, size - admin);
	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		if (!req_param(&req, common[i][0]))
			fuzz_set_param(&req, common[i][0], common[i][1]);
	if (admin)
		fuzz_sign_v1(&req, FUZZ_ADMIN_AK, FUZZ_ADMIN_SECRET);
	else
		fuzz_sign_v1(&req, FUZZ_AK, FUZZ_SECRET);

	status = router_handle(emu, &req, &answer);
	if (!answer || !json_object_is_type(answer, json_type_object) ||
	    !json_object_object_get_ex(answer, "RequestId", &v) ||
	    (status != 200 && !json_object_object_get_ex(answer, "Code", &v)) ||
	    status < 200 || status > 599)
		abort();
	json_wipe_put(answer);
	req_free_params(&req);
	return 0;
}
