/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Verifying a signed Alibaba Cloud RPC request, for the servers that
 * accept one (the ECS API server; the KMS emulator): v1 (HMAC-SHA1, the
 * Signature parameter) or ACS3-HMAC-SHA256 (the Authorization header).
 * The timestamp must be within SIGNED_REQUEST_SKEW of the server's time,
 * and a SignatureNonce is accepted once per AccessKeyId while that
 * timestamp is: the caller's nonce store keeps it.
 *
 * Nothing here knows HTTP: the server fills struct signed_request from
 * its connection, and gives the secrets and the nonce store through
 * struct signed_request_keys.
 */
#ifndef ECSENC_SIGNED_REQUEST_H
#define ECSENC_SIGNED_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define SIGNED_REQUEST_SKEW	(15 * 60)	/* seconds either way */
#define SIGNED_REQUEST_NONCE_MAX 128

/* One parameter, decoded; @in_query: it came in the URL (ACS3 signs those). */
struct signed_param {
	const char *name;
	const char *value;
	bool in_query;
};

struct signed_request {
	const char *method;		/* "POST" */
	const char *path;		/* "/" */
	const struct signed_param *params;
	size_t nparams;
	const char *body;		/* raw body, or NULL */
	size_t body_len;
	/* A request header by (case-insensitive) name; NULL when absent. */
	const char *(*header)(void *conn, const char *name);
	void *conn;
};

struct signed_request_keys {
	/* The secret of @access_key_id, or NULL when there is none. */
	const char *(*secret)(void *arg, const char *access_key_id);
	/*
	 * Record @nonce of @access_key_id until @expire: 0 the first time,
	 * -EEXIST if it was seen, another -errno if it cannot say.
	 */
	int (*nonce_use)(void *arg, const char *access_key_id,
			 const char *nonce, time_t expire, time_t now);
	void *arg;
};

/* Why a request was refused; each server answers with its own codes. */
enum signed_request_status {
	SIGNED_OK,
	SIGNED_MISSING,			/* a parameter or header the scheme needs */
	SIGNED_INVALID,			/* a malformed one (@param names it) */
	SIGNED_INCOMPLETE,		/* not a signature of either scheme */
	SIGNED_BAD_TIMESTAMP,		/* malformed, or outside the window */
	SIGNED_KEY_NOT_FOUND,
	SIGNED_MISMATCH,		/* the signature is not the key's */
	SIGNED_NONCE_USED,
	SIGNED_NONCE_REFUSED,		/* the nonce store said @nonce_errno */
	SIGNED_INTERNAL,
};

struct signed_request_result {
	char access_key_id[128];	/* the key's id, once it is known */
	const char *param;		/* SIGNED_MISSING/INVALID: which */
	int nonce_errno;		/* SIGNED_NONCE_REFUSED: the store's */
	char message[256];		/* why, in words, for Message */
};

/* The first parameter named @name, or NULL. */
const char *signed_request_param(const struct signed_request *req,
				 const char *name);

/*
 * SIGNED_OK when @req is signed by a known key, unreplayed and fresh;
 * else why not, with out->message saying it in words.
 */
enum signed_request_status signed_request_verify(const struct signed_request *req,
				   const struct signed_request_keys *keys,
				   time_t now,
				   struct signed_request_result *out);

/* The Action and Version of the request: a parameter, or ACS3's x-acs-*. */
const char *signed_request_action(const struct signed_request *req);
const char *signed_request_version(const struct signed_request *req);

#endif
