// SPDX-License-Identifier: GPL-2.0
/*
 * The emulator's side of request authentication: the verification is
 * tools/lib's (signed_request.h, shared with ecs-api); here the request is
 * handed to it, the keys and nonces are the emulator's, and each refusal
 * gets KMS's code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "nonces.h"
#include "signed_request.h"

static const char *secret_of(void *arg, const char *ak)
{
	const struct credential *c = credentials_find(((struct emulator *)arg)->creds, ak);

	return c ? c->secret : NULL;
}

static int nonce_use(void *arg, const char *ak, const char *nonce,
		     time_t expire, time_t now)
{
	return nonce_store_use(((struct emulator *)arg)->nonces, ak, nonce,
			       expire, now);
}

static const char *header_of(void *arg, const char *name)
{
	const struct kms_request *req = arg;

	return req->header(req->conn, name);
}

static void as_signed(const struct kms_request *req, struct signed_param *p,
		      struct signed_request *sr)
{
	for (size_t i = 0; i < req->nparams; i++)
		p[i] = (struct signed_param){ req->params[i].name,
			req->params[i].value, req->params[i].in_query };
	*sr = (struct signed_request){ .method = req->method, .path = req->path,
		.params = p, .nparams = req->nparams, .header = header_of,
		.conn = (void *)req };
}

static enum kms_err nonce_refused(struct kms_ctx *ctx, int err)
{
	if (err == EDQUOT)
		return kms_fail(ctx, E_THROTTLED,
				"QPS Limit Exceeded: access key %s holds %ld signature nonces whose Timestamp is still in the %d-minute window, its quota; retry later.",
				ctx->access_key_id,
				nonce_store_quota(ctx->emu->nonces),
				KMS_TIME_SKEW / 60);
	if (err == ENOSPC)
		return kms_fail(ctx, E_THROTTLED,
				"QPS Limit Exceeded: the store of signature nonces is full; retry later.");
	return E_INTERNAL;
}

enum kms_err auth_verify(struct kms_ctx *ctx)
{
	const struct kms_request *req = ctx->req;
	struct signed_param params[KMS_MAX_PARAMS];
	struct signed_request sr;
	struct signed_request_keys keys = {
		.secret = secret_of, .nonce_use = nonce_use, .arg = ctx->emu,
	};
	struct signed_request_result r;
	const struct credential *cred;
	enum signed_request_status st;

	as_signed(req, params, &sr);
	sr.body = req->body;
	sr.body_len = req->body_len;
	st = signed_request_verify(&sr, &keys, time(NULL), &r);
	/* The key's id outlives the request: the credentials' copy. */
	cred = r.access_key_id[0] ? credentials_find(ctx->emu->creds,
						     r.access_key_id) : NULL;
	if (cred)
		ctx->access_key_id = cred->id;
	switch (st) {
	case SIGNED_OK:
		return KMS_OK;
	case SIGNED_MISSING:
		return kms_missing(ctx, r.param);
	case SIGNED_INVALID:
		return kms_invalid(ctx, r.param);
	case SIGNED_INCOMPLETE:
		return kms_fail(ctx, E_INCOMPLETE_SIGNATURE, "%s", r.message);
	case SIGNED_BAD_TIMESTAMP:
		return kms_fail(ctx, E_ILLEGAL_TIMESTAMP, "%s", r.message);
	case SIGNED_KEY_NOT_FOUND:
		return kms_fail(ctx, E_ACCESS_KEY_NOT_FOUND, "%s", r.message);
	case SIGNED_MISMATCH:
		return E_SIGNATURE_MISMATCH;
	case SIGNED_NONCE_USED:
		return E_NONCE_USED;
	case SIGNED_NONCE_REFUSED:
		return nonce_refused(ctx, r.nonce_errno);
	case SIGNED_INTERNAL:
		break;
	}
	return E_INTERNAL;
}

const char *auth_action(const struct kms_request *req)
{
	struct signed_param p[KMS_MAX_PARAMS];
	struct signed_request sr;

	as_signed(req, p, &sr);
	return signed_request_action(&sr);
}

const char *auth_version(const struct kms_request *req)
{
	struct signed_param p[KMS_MAX_PARAMS];
	struct signed_request sr;

	as_signed(req, p, &sr);
	return signed_request_version(&sr);
}
