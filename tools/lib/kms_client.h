/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A client of the Alibaba Cloud KMS RPC API (2016-01-20), or of another
 * RPC API of the same form (the agent's link to ecs-api speaks ECS
 * 2014-05-26 with it): every call is signed (v1, HMAC-SHA1), sent with
 * libcurl, and its JSON answer parsed with json-c.  Shared by kms-agent
 * and ecsenc-ctl.
 */
#ifndef ECSENC_KMS_CLIENT_H
#define ECSENC_KMS_CLIENT_H

#include <stddef.h>

#include <json-c/json.h>

struct kms_client;

struct kms_client_config {
	const char *endpoint;		/* "http://127.0.0.1:8080" */
	const char *access_key_id;
	const char *access_key_secret;
	const char *region;		/* sent as RegionId; NULL: none */
	const char *version;		/* API version; NULL: KMS 2016-01-20 */
	long timeout_ms;		/* per request; 0: 10000 */
};

struct kms_response {
	long http_status;		/* 0 when no answer arrived */
	struct json_object *body;	/* parsed answer, or NULL */
	char code[96];			/* KMS error Code, "" on success */
	char message[256];		/* KMS error Message */
	char request_id[64];
};

/* Copies what it needs from @cfg; the secret is kept in locked memory. */
int kms_client_new(const struct kms_client_config *cfg,
		   struct kms_client **out);
void kms_client_free(struct kms_client *c);

/*
 * One signed call.  @params is a NULL-terminated list of name, value
 * pairs.  Returns 0 for an HTTP 200 answer; -EPROTO for a KMS error answer
 * (resp->code and resp->message say which); -ETIMEDOUT, -ECONNREFUSED or
 * -EIO when no usable answer arrived.  The caller frees @resp with
 * kms_response_release(), which also wipes every string in it (answers
 * may hold plaintext keys).
 */
int kms_client_call(struct kms_client *c, const char *action,
		    const char *const *params, struct kms_response *resp);
void kms_response_release(struct kms_response *resp);
/* The string field @name of the answer's body; NULL if none or not a string. */
const char *kms_response_str(const struct kms_response *resp, const char *name);

/*
 * The answer half of kms_client_call(): parse the @len bytes at @data
 * (NUL-terminated, or NULL for no body) received with resp->http_status
 * into @resp, with the same return values.  The caller wipes @data.
 */
int kms_response_parse(const char *data, size_t len, struct kms_response *resp);

/* True for errors worth retrying: no answer, HTTP 5xx, Throttling*, Rejected.Throttling. */
int kms_error_is_transient(int err, const struct kms_response *resp);

#endif
