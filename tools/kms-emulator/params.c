// SPDX-License-Identifier: GPL-2.0
/* Request parameters, error messages and answer helpers for handlers. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"
#include "kms_sign.h"

const char *req_param(const struct kms_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nparams; i++)
		if (!strcmp(req->params[i].name, name))
			return req->params[i].value;
	return NULL;
}

enum kms_err kms_fail(struct kms_ctx *ctx, enum kms_err e, const char *fmt,
		      ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->message, sizeof(ctx->message), fmt, ap);
	va_end(ap);
	return e;
}

enum kms_err kms_missing(struct kms_ctx *ctx, const char *name)
{
	return kms_fail(ctx, E_MISSING_PARAMETER,
			"The input parameter \"%s\" that is mandatory for processing this request is not supplied.",
			name);
}

enum kms_err kms_invalid(struct kms_ctx *ctx, const char *name)
{
	return kms_fail(ctx, E_INVALID_PARAMETER,
			"The specified parameter \"%s\" is not valid.", name);
}

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!*s || *s == ' ' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

enum kms_err param_long(struct kms_ctx *ctx, const char *name, long min,
			long max, long def, long *out)
{
	const char *v = req_param(ctx->req, name);

	if (!v) {
		*out = def;
		return KMS_OK;
	}
	return parse_long(v, min, max, out) ? kms_invalid(ctx, name) : KMS_OK;
}

enum kms_err page_params(struct kms_ctx *ctx, long *number, long *size)
{
	enum kms_err err;

	err = param_long(ctx, "PageNumber", 1, INT_MAX, 1, number);
	if (!err)
		err = param_long(ctx, "PageSize", 1, 100, 10, size);
	return err;
}

void list_answer(struct json_object *out, const char *outer,
		 const char *inner, struct json_object *arr, long total,
		 long number, long size)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, inner, arr);
	json_object_object_add(out, outer, o);
	json_object_object_add(out, "TotalCount", json_object_new_int64(total));
	json_object_object_add(out, "PageNumber", json_object_new_int64(number));
	json_object_object_add(out, "PageSize", json_object_new_int64(size));
}

struct json_object *json_time(time_t t)
{
	char s[KMS_TIMESTAMP_LEN + 1];

	kms_format_timestamp(t, s);
	return json_object_new_string(s);
}

void kms_log_key(struct kms_ctx *ctx, const char *ref)
{
	size_t i, n = 0;

	for (i = 0; ref[i] && n < sizeof(ctx->log_key) - 1; i++) {
		char c = ref[i];

		ctx->log_key[n++] = (c >= '!' && c <= '~') ? c : '?';
	}
	ctx->log_key[n] = '\0';
}
