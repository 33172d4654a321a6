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

#include "ecs_error.h"

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

struct signed_request_result {
	char access_key_id[128];	/* the verified key's id */
	char message[256];		/* why it was refused, for Message */
};

/* The first parameter named @name, or NULL. */
const char *signed_request_param(const struct signed_request *req,
				 const char *name);

/*
 * ECS_ERR_NONE when @req is signed by a known key, unreplayed and fresh;
 * else the refusal's identity, with out->message saying why.
 */
enum ecs_err signed_request_verify(const struct signed_request *req,
				   const struct signed_request_keys *keys,
				   time_t now,
				   struct signed_request_result *out);

/* The Action and Version of the request: a parameter, or ACS3's x-acs-*. */
const char *signed_request_action(const struct signed_request *req);
const char *signed_request_version(const struct signed_request *req);

#endif
