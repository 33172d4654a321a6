// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "kms_sign.h"
#include "nonces.h"

#define NONCE_MAX_LEN 128

/* @t: the request's time, for check_nonce(). */
static enum kms_err check_time(struct kms_ctx *ctx, const char *ts, time_t *t)
{
	time_t now = time(NULL);

	if (kms_parse_timestamp(ts, t))
		return kms_fail(ctx, E_ILLEGAL_TIMESTAMP,
				"The input parameter Timestamp \"%.40s\" does not match the expected format yyyy-MM-ddTHH:mm:ssZ.",
				ts);
	if (*t < now - KMS_TIME_SKEW || *t > now + KMS_TIME_SKEW)
		return kms_fail(ctx, E_ILLEGAL_TIMESTAMP,
				"The Timestamp %s is more than 15 minutes off the server time.",
				ts);
	return KMS_OK;
}

/*
 * A request signed at @t passes check_time() until t + KMS_TIME_SKEW, so
 * its nonce is kept until then: nonces.db keeps it across restarts.
 */
static enum kms_err check_nonce(struct kms_ctx *ctx, const char *nonce,
				time_t t)
{
	int ret;

	if (strlen(nonce) > NONCE_MAX_LEN)
		return kms_invalid(ctx, "SignatureNonce");
	ret = nonce_store_use(ctx->emu->nonces, ctx->access_key_id, nonce,
			      t + KMS_TIME_SKEW + 1, time(NULL));
	if (ret == -EEXIST)
		return E_NONCE_USED;
	if (ret == -EDQUOT)
		return kms_fail(ctx, E_THROTTLED,
				"QPS Limit Exceeded: access key %s holds %ld signature nonces whose Timestamp is still in the %d-minute window, its quota; retry later.",
				ctx->access_key_id,
				nonce_store_quota(ctx->emu->nonces),
				KMS_TIME_SKEW / 60);
	if (ret == -ENOSPC)
		return kms_fail(ctx, E_THROTTLED,
				"QPS Limit Exceeded: the store of signature nonces is full; retry later.");
	return ret ? E_INTERNAL : KMS_OK;
}

static enum kms_err find_key(struct kms_ctx *ctx, const char *ak,
			     const struct credential **cred)
{
	*cred = credentials_find(ctx->emu->creds, ak);
	if (!*cred)
		return kms_fail(ctx, E_ACCESS_KEY_NOT_FOUND,
				"Specified access key %.64s is not found.", ak);
	ctx->access_key_id = (*cred)->id;
	return KMS_OK;
}

static enum kms_err verify_v1(struct kms_ctx *ctx)
{
	const struct kms_request *req = ctx->req;
	const char *ak = req_param(req, "AccessKeyId");
	const char *sig = req_param(req, "Signature");
	const char *ts = req_param(req, "Timestamp");
	const char *nonce = req_param(req, "SignatureNonce");
	const char *method = req_param(req, "SignatureMethod");
	const char *sver = req_param(req, "SignatureVersion");
	struct kms_param p[KMS_MAX_PARAMS];
	char want[KMS_V1_SIG_LEN + 1];
	const struct credential *cred;
	enum kms_err err;
	time_t t;
	size_t i;

	if (!ak || !*ak)
		return kms_missing(ctx, "AccessKeyId");
	if (!sig || !*sig)
		return kms_fail(ctx, E_INCOMPLETE_SIGNATURE,
				"The request has no Signature.");
	if (!ts)
		return kms_missing(ctx, "Timestamp");
	if (!nonce || !*nonce)
		return kms_missing(ctx, "SignatureNonce");
	if (!method || strcmp(method, "HMAC-SHA1") || !sver ||
	    strcmp(sver, "1.0"))
		return kms_fail(ctx, E_INCOMPLETE_SIGNATURE,
				"SignatureMethod must be HMAC-SHA1 and SignatureVersion 1.0.");
	err = check_time(ctx, ts, &t);
	if (!err)
		err = find_key(ctx, ak, &cred);
	if (err)
		return err;
	for (i = 0; i < req->nparams; i++) {
		p[i].name = req->params[i].name;
		p[i].value = req->params[i].value;
	}
	if (kms_v1_sign(cred->secret, req->method, p, req->nparams, want))
		return E_INTERNAL;
	if (!kms_str_equal_ct(want, sig))
		return E_SIGNATURE_MISMATCH;
	return check_nonce(ctx, nonce, t);
}

/* Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=… */
struct acs3_auth {
	char credential[128];
	char signed_headers[1024];
	char signature[KMS_SHA256_HEX_LEN + 1];
};

static int acs3_parse(const char *h, struct acs3_auth *a)
{
	static const char scheme[] = "ACS3-HMAC-SHA256 ";
	char buf[2048], *tok, *save = NULL;

	memset(a, 0, sizeof(*a));
	if (strncmp(h, scheme, sizeof(scheme) - 1) ||
	    strlen(h) >= sizeof(buf) + sizeof(scheme))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", h + sizeof(scheme) - 1);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (!strncmp(tok, "Credential=", 11))
			snprintf(a->credential, sizeof(a->credential), "%s",
				 tok + 11);
		else if (!strncmp(tok, "SignedHeaders=", 14))
			snprintf(a->signed_headers, sizeof(a->signed_headers),
				 "%s", tok + 14);
		else if (!strncmp(tok, "Signature=", 10))
			snprintf(a->signature, sizeof(a->signature), "%s",
				 tok + 10);
		else
			return -EINVAL;
	}
	return a->credential[0] && a->signed_headers[0] && a->signature[0] ?
	       0 : -EINVAL;
}

/* Every header of the canonical request must be in SignedHeaders. */
static int has_header(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ';') && (p[n] == ';' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

static char *acs3_canonical_request(struct kms_ctx *ctx,
				    const struct acs3_auth *a,
				    const char *payload_hash)
{
	const struct kms_request *req = ctx->req;
	struct kms_param p[KMS_MAX_PARAMS];
	char *query, *hdrs = NULL, *out = NULL, list[1024], *name, *save = NULL;
	size_t i, n = 0, hlen = 0;

	for (i = 0; i < req->nparams; i++) {
		if (!req->params[i].in_query)
			continue;
		p[n].name = req->params[i].name;
		p[n++].value = req->params[i].value;
	}
	query = kms_canonical_query(p, n);
	if (!query)
		return NULL;
	snprintf(list, sizeof(list), "%s", a->signed_headers);
	for (name = strtok_r(list, ";", &save); name;
	     name = strtok_r(NULL, ";", &save)) {
		const char *v = req->header(req->conn, name);
		size_t vlen, add;
		char *grown;

		if (!v)
			goto out;
		while (*v == ' ' || *v == '\t')
			v++;
		vlen = strlen(v);
		while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		add = strlen(name) + vlen + 2;
		grown = realloc(hdrs, hlen + add + 1);
		if (!grown)
			goto out;
		hdrs = grown;
		hlen += (size_t)snprintf(hdrs + hlen, add + 1, "%s:%.*s\n", name,
					 (int)vlen, v);
	}
	if (asprintf(&out, "%s\n%s\n%s\n%s\n%s\n%s", req->method, req->path,
		     query, hdrs ? hdrs : "", a->signed_headers,
		     payload_hash) < 0)
		out = NULL;
out:
	OPENSSL_clear_free(query, strlen(query));
	free(hdrs);
	return out;
}

static enum kms_err verify_acs3(struct kms_ctx *ctx, const char *auth)
{
	static const char *const required[] = {
		"host", "x-acs-action", "x-acs-version", "x-acs-date",
		"x-acs-signature-nonce",
	};
	const struct kms_request *req = ctx->req;
	const char *date = req->header(req->conn, "x-acs-date");
	const char *nonce = req->header(req->conn, "x-acs-signature-nonce");
	const char *hashed = req->header(req->conn, "x-acs-content-sha256");
	char body_hash[KMS_SHA256_HEX_LEN + 1], want[KMS_SHA256_HEX_LEN + 1];
	const struct credential *cred;
	struct acs3_auth a;
	enum kms_err err;
	char *creq;
	time_t t;
	size_t i;
	int ret;

	if (acs3_parse(auth, &a))
		return kms_fail(ctx, E_INCOMPLETE_SIGNATURE,
				"The Authorization header is not a valid ACS3-HMAC-SHA256 authorization.");
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!has_header(a.signed_headers, required[i]))
			return kms_fail(ctx, E_INCOMPLETE_SIGNATURE,
					"SignedHeaders must include %s.",
					required[i]);
	if (!date)
		return kms_missing(ctx, "x-acs-date");
	if (!nonce || !*nonce)
		return kms_missing(ctx, "x-acs-signature-nonce");
	err = check_time(ctx, date, &t);
	if (!err)
		err = find_key(ctx, a.credential, &cred);
	if (err)
		return err;
	kms_sha256_hex(req->body ? req->body : "", req->body_len, body_hash);
	if (hashed && strcmp(hashed, body_hash))
		return kms_fail(ctx, E_SIGNATURE_MISMATCH,
				"x-acs-content-sha256 does not match the body.");
	creq = acs3_canonical_request(ctx, &a, body_hash);
	if (!creq)
		return kms_fail(ctx, E_INCOMPLETE_SIGNATURE,
				"A signed header is missing from the request.");
	ret = kms_acs3_sign(cred->secret, creq, want);
	OPENSSL_clear_free(creq, strlen(creq));
	if (ret)
		return E_INTERNAL;
	if (!kms_str_equal_ct(want, a.signature))
		return E_SIGNATURE_MISMATCH;
	return check_nonce(ctx, nonce, t);
}

static int is_acs3(const struct kms_request *req)
{
	const char *auth = req->header(req->conn, "Authorization");

	return auth && !strncmp(auth, "ACS3-", 5);
}

enum kms_err auth_verify(struct kms_ctx *ctx)
{
	if (is_acs3(ctx->req))
		return verify_acs3(ctx, ctx->req->header(ctx->req->conn,
							 "Authorization"));
	return verify_v1(ctx);
}

/* v1 signs parameters only, so only ACS3 may name them in headers. */
static const char *param_or_header(const struct kms_request *req,
				   const char *param, const char *header)
{
	const char *v = req_param(req, param);

	return v || !is_acs3(req) ? v : req->header(req->conn, header);
}

const char *auth_action(const struct kms_request *req)
{
	return param_or_header(req, "Action", "x-acs-action");
}

const char *auth_version(const struct kms_request *req)
{
	return param_or_header(req, "Version", "x-acs-version");
}
