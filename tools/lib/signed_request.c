// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "kms_sign.h"
#include "signed_request.h"

#define SIGNED_MAX_PARAMS 256

static enum signed_request_status refuse(struct signed_request_result *out,
					 enum signed_request_status e,
					 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum signed_request_status refuse(struct signed_request_result *out,
					 enum signed_request_status e,
					 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
	return e;
}

static enum signed_request_status missing(struct signed_request_result *out,
					  const char *name)
{
	out->param = name;
	return refuse(out, SIGNED_MISSING,
		      "The input parameter %s that is mandatory for processing this request is not supplied.",
		      name);
}

static enum signed_request_status invalid(struct signed_request_result *out,
					  const char *name, const char *why)
{
	out->param = name;
	return refuse(out, SIGNED_INVALID, "The parameter %s is not valid: %s.",
		      name, why);
}

const char *signed_request_param(const struct signed_request *req,
				 const char *name)
{
	for (size_t i = 0; i < req->nparams; i++)
		if (!strcmp(req->params[i].name, name))
			return req->params[i].value;
	return NULL;
}

/* @t: the request's time, for check_nonce(). */
static enum signed_request_status check_time(const char *ts, time_t now, time_t *t,
			       struct signed_request_result *out)
{
	if (kms_parse_timestamp(ts, t))
		return refuse(out, SIGNED_BAD_TIMESTAMP,
			      "The Timestamp \"%.40s\" does not match the format yyyy-MM-ddTHH:mm:ssZ.",
			      ts);
	if (*t < now - SIGNED_REQUEST_SKEW || *t > now + SIGNED_REQUEST_SKEW)
		return refuse(out, SIGNED_BAD_TIMESTAMP,
			      "The Timestamp %s is more than 15 minutes off the server time.",
			      ts);
	return SIGNED_OK;
}

/* A request signed at @t passes check_time() until t + SKEW: so its nonce. */
static enum signed_request_status check_nonce(const struct signed_request_keys *keys,
				const char *ak, const char *nonce, time_t t,
				time_t now, struct signed_request_result *out)
{
	int r;

	if (strlen(nonce) > SIGNED_REQUEST_NONCE_MAX)
		return invalid(out, "SignatureNonce", "longer than 128 bytes");
	r = keys->nonce_use(keys->arg, ak, nonce, t + SIGNED_REQUEST_SKEW + 1,
			    now);
	if (r == -EEXIST)
		return refuse(out, SIGNED_NONCE_USED,
			      "The SignatureNonce %.64s has been used.", nonce);
	out->nonce_errno = -r;
	if (r < 0)
		return refuse(out, SIGNED_NONCE_REFUSED,
			      "The nonce store cannot record the request: %s",
			      strerror(-r));
	return SIGNED_OK;
}

static enum signed_request_status find_secret(const struct signed_request_keys *keys,
				const char *ak, const char **secret,
				struct signed_request_result *out)
{
	snprintf(out->access_key_id, sizeof(out->access_key_id), "%s", ak);
	*secret = keys->secret(keys->arg, ak);
	if (!*secret)
		return refuse(out, SIGNED_KEY_NOT_FOUND,
			      "Specified access key %.64s is not found.", ak);
	return SIGNED_OK;
}

static enum signed_request_status verify_v1(const struct signed_request *req,
			      const struct signed_request_keys *keys,
			      time_t now, struct signed_request_result *out)
{
	const char *ak = signed_request_param(req, "AccessKeyId");
	const char *sig = signed_request_param(req, "Signature");
	const char *ts = signed_request_param(req, "Timestamp");
	const char *nonce = signed_request_param(req, "SignatureNonce");
	const char *method = signed_request_param(req, "SignatureMethod");
	const char *sver = signed_request_param(req, "SignatureVersion");
	struct kms_param p[SIGNED_MAX_PARAMS];
	char want[KMS_V1_SIG_LEN + 1];
	const char *secret;
	enum signed_request_status e;
	time_t t;

	if (!ak || !*ak)
		return missing(out, "AccessKeyId");
	if (!sig || !*sig)
		return refuse(out, SIGNED_INCOMPLETE,
			      "The request has no Signature.");
	if (!ts)
		return missing(out, "Timestamp");
	if (!nonce || !*nonce)
		return missing(out, "SignatureNonce");
	if (!method || strcmp(method, "HMAC-SHA1") || !sver ||
	    strcmp(sver, "1.0"))
		return refuse(out, SIGNED_INCOMPLETE,
			      "SignatureMethod must be HMAC-SHA1 and SignatureVersion 1.0.");
	if (req->nparams > SIGNED_MAX_PARAMS)
		return invalid(out, "Action", "the request has too many parameters");
	e = check_time(ts, now, &t, out);
	if (!e)
		e = find_secret(keys, ak, &secret, out);
	if (e)
		return e;
	for (size_t i = 0; i < req->nparams; i++) {
		p[i].name = req->params[i].name;
		p[i].value = req->params[i].value;
	}
	if (kms_v1_sign(secret, req->method, p, req->nparams, want))
		return refuse(out, SIGNED_INTERNAL, "Cannot compute the signature.");
	if (!kms_str_equal_ct(want, sig))
		return refuse(out, SIGNED_MISMATCH,
			      "The request signature does not match: check the AccessKeySecret and the signing.");
	return check_nonce(keys, ak, nonce, t, now, out);
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
static bool has_header(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ';') && (p[n] == ';' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

static char *acs3_canonical_request(const struct signed_request *req,
				    const struct acs3_auth *a,
				    const char *payload_hash)
{
	struct kms_param p[SIGNED_MAX_PARAMS];
	char *query, *hdrs = NULL, *out = NULL, list[1024], *name, *save = NULL;
	size_t n = 0, hlen = 0;

	for (size_t i = 0; i < req->nparams && n < SIGNED_MAX_PARAMS; i++) {
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

static enum signed_request_status verify_acs3(const struct signed_request *req,
				const struct signed_request_keys *keys,
				const char *auth, time_t now,
				struct signed_request_result *out)
{
	static const char *const required[] = {
		"host", "x-acs-action", "x-acs-version", "x-acs-date",
		"x-acs-signature-nonce",
	};
	const char *date = req->header(req->conn, "x-acs-date");
	const char *nonce = req->header(req->conn, "x-acs-signature-nonce");
	const char *hashed = req->header(req->conn, "x-acs-content-sha256");
	char body_hash[KMS_SHA256_HEX_LEN + 1], want[KMS_SHA256_HEX_LEN + 1];
	struct acs3_auth parsed;
	const char *secret;
	enum signed_request_status e;
	char *creq;
	time_t t;
	int r;

	if (acs3_parse(auth, &parsed))
		return refuse(out, SIGNED_INCOMPLETE,
			      "The Authorization header is not a valid ACS3-HMAC-SHA256 authorization.");
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!has_header(parsed.signed_headers, required[i]))
			return refuse(out, SIGNED_INCOMPLETE,
				      "SignedHeaders must include %s.", required[i]);
	if (!date)
		return missing(out, "x-acs-date");
	if (!nonce || !*nonce)
		return missing(out, "x-acs-signature-nonce");
	e = check_time(date, now, &t, out);
	if (!e)
		e = find_secret(keys, parsed.credential, &secret, out);
	if (e)
		return e;
	kms_sha256_hex(req->body ? req->body : "", req->body ? req->body_len : 0,
		       body_hash);
	if (hashed && strcmp(hashed, body_hash))
		return refuse(out, SIGNED_MISMATCH,
			      "x-acs-content-sha256 does not match the body.");
	creq = acs3_canonical_request(req, &parsed, body_hash);
	if (!creq)
		return refuse(out, SIGNED_INCOMPLETE,
			      "A signed header is missing from the request.");
	r = kms_acs3_sign(secret, creq, want);
	OPENSSL_clear_free(creq, strlen(creq));
	if (r)
		return refuse(out, SIGNED_INTERNAL, "Cannot compute the signature.");
	if (!kms_str_equal_ct(want, parsed.signature))
		return refuse(out, SIGNED_MISMATCH,
			      "The request signature does not match: check the AccessKeySecret and the signing.");
	return check_nonce(keys, parsed.credential, nonce, t, now, out);
}

static bool is_acs3(const struct signed_request *req)
{
	const char *auth = req->header(req->conn, "Authorization");

	return auth && !strncmp(auth, "ACS3-", 5);
}

enum signed_request_status signed_request_verify(const struct signed_request *req,
				   const struct signed_request_keys *keys,
				   time_t now,
				   struct signed_request_result *out)
{
	memset(out, 0, sizeof(*out));
	if (is_acs3(req))
		return verify_acs3(req, keys, req->header(req->conn,
							  "Authorization"),
				   now, out);
	return verify_v1(req, keys, now, out);
}

/* v1 signs parameters only, so only ACS3 may name them in headers. */
static const char *param_or_header(const struct signed_request *req,
				   const char *param, const char *header)
{
	const char *v = signed_request_param(req, param);

	return v || !is_acs3(req) ? v : req->header(req->conn, header);
}

const char *signed_request_action(const struct signed_request *req)
{
	return param_or_header(req, "Action", "x-acs-action");
}

const char *signed_request_version(const struct signed_request *req)
{
	return param_or_header(req, "Version", "x-acs-version");
}
