// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "audit.h"
#include "credentials.h"
#include "agent_kms.h"
#include "agent_regions.h"
#include "log.h"
#include "secmem.h"

/* The KMS client of the request's region, created on first use. */
static int client_for(struct op_ctx *ctx, struct kms_client **out)
{
	struct agent *a = ctx->agent;
	struct agent_region *rg = agent_region_find(a, ctx->region);
	struct kms_client_config cfg = { 0 };
	int r = 0;

	/* Requests are admitted in served regions only: this is old data. */
	if (!rg)
		return op_fail(ctx, -ENOENT, "region %s is not one this agent serves (--regions), so it has no KMS",
			       ctx->region);
	pthread_mutex_lock(&a->kms_lock);
	if (rg->client)
		goto out;
	if (!a->creds || !a->creds->count) {
		r = -ENOKEY;
		goto out;
	}
	cfg.endpoint = rg->endpoint;
	cfg.access_key_id = a->creds->keys[0].id;
	cfg.access_key_secret = a->creds->keys[0].secret;
	cfg.region = rg->id;
	cfg.timeout_ms = 5000;
	r = kms_client_new(&cfg, &rg->client);
	if (r < 0)
		rg->client = NULL;
out:
	*out = rg->client;
	pthread_mutex_unlock(&a->kms_lock);
	if (r < 0)
		return op_fail(ctx, r, "no KMS client for region %s: %s",
			       ctx->region, strerror(-r));
	return 0;
}

void agent_kms_free_clients(struct agent *a)
{
	for (size_t i = 0; i < a->n_regions; i++) {
		kms_client_free(a->regions[i].client);
		a->regions[i].client = NULL;
	}
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool key_not_found(const char *code)
{
	return !strcmp(code, "Forbidden.KeyNotFound") ||
	       !strcmp(code, "Forbidden.AliasNotFound") ||
	       !strcmp(code, "EntityNotExist.Key");
}

/*
 * A permanent KMS error, said so that a user knows what to do.  A key that
 * is not there is a mistyped id when a new key or a state is asked for, and
 * lost data only when a data key already wrapped under it is to be opened.
 */
static int explain(struct op_ctx *ctx, const char *action,
		   const struct kms_response *resp)
{
	const char *c = resp->code;
	const char *key = ctx->kms_key ? ctx->kms_key : "";

	if (!strcmp(c, "Rejected.Disabled"))
		return op_fail_code(ctx, -EKEYREVOKED, ECS_ERR_KMS_KEY_NOT_ENABLED,
			"the KMS key %s is disabled; enable it (ecsenc-ctl kms EnableKey KeyId=%s) to use this disk",
			key, *key ? key : "...");
	if (!strcmp(c, "Rejected.PendingDeletion"))
		return op_fail_code(ctx, -EKEYREVOKED, ECS_ERR_KMS_KEY_UNUSABLE,
			"the KMS key %s is scheduled for deletion; cancel it (ecsenc-ctl kms CancelKeyDeletion KeyId=%s) or the disk's data is lost when it is deleted",
			key, *key ? key : "...");
	if (key_not_found(c) && ctx->kms_key_holds_data)
		return op_fail_code(ctx, -ENOKEY, ECS_ERR_KMS_KEY_GONE,
			"the KMS key %s that wraps this data key no longer exists; data encrypted under it cannot be decrypted any more",
			key);
	if (key_not_found(c))
		return op_fail_code(ctx, -ENOKEY, ECS_ERR_KMS_KEY_NOT_FOUND,
			"there is no KMS key %s in region %s (ecsenc-ctl kms ListKeys and ListAliases list them)",
			key, ctx->region);
	if (!strcmp(c, "Rejected.PendingImport"))
		return op_fail_code(ctx, -ENOKEY, ECS_ERR_KMS_KEY_UNUSABLE,
			"the KMS key %s has no key material yet; import it (GetParametersForImport, ImportKeyMaterial) first",
			key);
	if (!strcmp(c, "InvalidAccessKeyId.NotFound") ||
	    !strcmp(c, "IncompleteSignature") ||
	    !strcmp(c, "SignatureDoesNotMatch"))
		return op_fail_code(ctx, -EACCES, ECS_ERR_KMS_ACCESS_DENIED,
			"the KMS refused the agent's credentials (%s: %s)",
			c, resp->message);
	if (!strcmp(c, "Forbidden.NoPermission"))
		return op_fail_code(ctx, -EACCES, ECS_ERR_KMS_ACCESS_DENIED,
				    "the KMS does not allow %s: %s",
				    action, resp->message);
	if (!strncmp(c, "InvalidCiphertext", 17) ||
	    !strcmp(c, "Rejected.InvalidEncryptionContext") ||
	    !strcmp(c, "InvalidParameter.EncryptionContext"))
		return op_fail_code(ctx, -EBADMSG, ECS_ERR_KMS_CIPHERTEXT_MISMATCH,
			"the KMS cannot unwrap this disk's key (%s): the header does not belong to this key or context", c);
	return op_fail(ctx, -EPROTO, "KMS %s failed: %s: %s", action, c,
		       resp->message);
}

/* The CMK a call is about: the caller's, else its KeyId parameter. */
static const char *key_of(const struct op_ctx *ctx, const char *const *params)
{
	if (ctx->kms_key)
		return ctx->kms_key;
	for (size_t i = 0; params && params[i] && params[i + 1]; i += 2)
		if (!strcmp(params[i], "KeyId"))
			return params[i + 1];
	return "";
}

static int call(struct op_ctx *ctx, const char *action,
		const char *const *params, struct kms_response *resp, int retry)
{
	long start = now_ms(), deadline = start + ctx->agent->kms_deadline_ms;
	long backoff = 100;
	struct kms_client *c;
	int r, logged, attempt = 0;
	long intent;

	r = client_for(ctx, &c);
	if (r < 0)
		return r;
	for (;;) {
		attempt++;
		/* No call goes out that the audit trail does not hold. */
		intent = audit_kms_request(ctx, action, key_of(ctx, params));
		if (intent < 0)
			return op_fail(ctx, (int)intent,
				"KMS %s not sent: its audit record cannot be written (%s)",
				action, strerror((int)-intent));
		r = kms_client_call(c, action, params, resp);
		/* Billed: every call the KMS answered. */
		if (resp->http_status)
			op_count_kms_call(ctx, action);
		logged = audit_kms_result(ctx, intent, action,
					  key_of(ctx, params), resp, r);
		if (logged < 0) {
			r = op_fail(ctx, logged,
				"KMS %s was sent but the audit record of its answer cannot be written (%s): the answer is not used",
				action, strerror(-logged));
			kms_response_release(resp);
			return r;
		}
		if (r == 0)
			return 0;
		if (!retry || !kms_error_is_transient(r, resp))
			break;
		if (now_ms() + backoff > deadline) {
			r = op_fail(ctx, -ETIMEDOUT,
				"the KMS of region %s is unavailable (%s after %d tries); try again later",
				ctx->region,
				resp->code[0] ? resp->code : strerror(-r),
				attempt);
			kms_response_release(resp);
			return r;
		}
		log_warn("KMS %s: %s, retrying in %ld ms", action,
			 resp->code[0] ? resp->code : strerror(-r), backoff);
		op_progress(ctx, "waiting for the KMS", (uint64_t)(now_ms() - start),
			    (uint64_t)ctx->agent->kms_deadline_ms);
		kms_response_release(resp);
		sleep_ms(backoff);
		backoff = backoff * 2 > 2000 ? 2000 : backoff * 2;
	}
	if (r == -EPROTO)
		r = explain(ctx, action, resp);
	else
		r = op_fail(ctx, r, "KMS %s: %s", action, strerror(-r));
	kms_response_release(resp);
	return r;
}

int agent_kms_call(struct op_ctx *ctx, const char *action,
		   const char *const *params, struct kms_response *resp)
{
	return call(ctx, action, params, resp, 1);
}

int agent_kms_call_once(struct op_ctx *ctx, const char *action,
			const char *const *params, struct kms_response *resp)
{
	return call(ctx, action, params, resp, 0);
}

void agent_kms_context(const char *lineage_id, const char *region,
		       char *buf, size_t len)
{
	snprintf(buf, len, "{\"ecsenc:lineage\":\"%s\",\"ecsenc:region\":\"%s\"}",
		 lineage_id, region);
}

int agent_kms_new_data_key(struct op_ctx *ctx, const char *key_id,
			   const char *context,
			   char *wrapped, size_t wrapped_len,
			   char *key_id_out, size_t key_id_len,
			   char *version_out, size_t version_len)
{
	const char *params[] = {
		"KeyId", key_id, "NumberOfBytes", "64",
		"EncryptionContext", context, NULL,
	};
	struct kms_response resp;
	const char *blob, *kid, *ver;
	int r;

	ctx->kms_key = key_id;
	r = agent_kms_call(ctx, "GenerateDataKeyWithoutPlaintext", params, &resp);
	if (r < 0)
		return r;
	blob = kms_response_str(&resp, "CiphertextBlob");
	kid = kms_response_str(&resp, "KeyId");
	if (!blob || strlen(blob) >= wrapped_len) {
		r = op_fail(ctx, -EPROTO, "KMS answer without a usable CiphertextBlob");
		goto out;
	}
	snprintf(wrapped, wrapped_len, "%s", blob);
	snprintf(key_id_out, key_id_len, "%s", kid ? kid : key_id);
	ver = kms_response_str(&resp, "KeyVersionId");
	snprintf(version_out, version_len, "%s", ver ? ver : "");
out:
	kms_response_release(&resp);
	return r;
}

int agent_kms_unwrap(struct op_ctx *ctx, const char *kms_key_id,
		     const char *wrapped, const char *context,
		     unsigned char **key)
{
	const char *params[] = {
		"CiphertextBlob", wrapped, "EncryptionContext", context, NULL,
	};
	struct kms_response resp;
	unsigned char *buf = NULL;
	const char *b64;
	size_t b64len;
	int n, r;

	ctx->kms_key = kms_key_id;
	ctx->kms_key_holds_data = true;
	r = agent_kms_call(ctx, "Decrypt", params, &resp);
	ctx->kms_key_holds_data = false;
	if (r < 0)
		return r;
	b64 = kms_response_str(&resp, "Plaintext");
	b64len = b64 ? strlen(b64) : 0;
	buf = secmem_alloc(b64len + 4);
	if (!buf) {
		r = op_fail(ctx, -ENOMEM, "out of locked memory");
		goto out;
	}
	n = b64 ? EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)b64len) : -1;
	/* EVP_DecodeBlock counts '=' padding as zero bytes: strip them. */
	while (n > 0 && b64len && b64[--b64len] == '=')
		n--;
	if (n != DATA_KEY_BYTES) {
		r = op_fail(ctx, -EBADMSG,
			    "KMS returned a %d-byte data key for %s, want %d",
			    n, kms_key_id, DATA_KEY_BYTES);
		goto out;
	}
	*key = buf;
	buf = NULL;
out:
	secmem_free(buf);
	kms_response_release(&resp);
	return r;
}

/* DescribeKey: fail unless Enabled; the answer's KeyMetadata in @meta_out. */
static int describe_enabled(struct op_ctx *ctx, const char *kms_key_id,
			    struct kms_response *resp,
			    struct json_object **meta_out)
{
	const char *params[] = { "KeyId", kms_key_id, NULL };
	struct json_object *meta = NULL, *state;
	const char *s = NULL;
	int r;

	ctx->kms_key = kms_key_id;
	r = agent_kms_call(ctx, "DescribeKey", params, resp);
	if (r < 0)
		return r;
	if (json_object_object_get_ex(resp->body, "KeyMetadata", &meta) &&
	    json_object_object_get_ex(meta, "KeyState", &state))
		s = json_object_get_string(state);
	if (!s)
		r = op_fail(ctx, -EPROTO, "DescribeKey answer without KeyState");
	else if (!strcmp(s, "Disabled"))
		r = op_fail_code(ctx, -EKEYREVOKED, ECS_ERR_KMS_KEY_NOT_ENABLED,
			"the KMS key %s is disabled; enable it (ecsenc-ctl kms EnableKey KeyId=%s) first",
			kms_key_id, kms_key_id);
	else if (!strcmp(s, "PendingDeletion"))
		r = op_fail_code(ctx, -EKEYREVOKED, ECS_ERR_KMS_KEY_UNUSABLE,
			"the KMS key %s is scheduled for deletion; cancel it (ecsenc-ctl kms CancelKeyDeletion KeyId=%s) first",
			kms_key_id, kms_key_id);
	else if (strcmp(s, "Enabled"))
		r = op_fail_code(ctx, -EKEYREVOKED, ECS_ERR_KMS_KEY_UNUSABLE,
				 "the KMS key %s is %s", kms_key_id, s);
	if (r < 0)
		kms_response_release(resp);
	else
		*meta_out = meta;
	return r;
}

int agent_kms_check_key(struct op_ctx *ctx, const char *kms_key_id)
{
	struct json_object *meta;
	struct kms_response resp;
	int r = describe_enabled(ctx, kms_key_id, &resp, &meta);

	if (r == 0)
		kms_response_release(&resp);
	return r;
}

int agent_kms_check_data_key(struct op_ctx *ctx, const char *kms_key_id)
{
	int r;

	ctx->kms_key_holds_data = true;
	r = agent_kms_check_key(ctx, kms_key_id);
	ctx->kms_key_holds_data = false;
	return r;
}

static const char *meta_str(struct json_object *meta, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(meta, name, &v) &&
	       json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

int agent_kms_check_destination(struct op_ctx *ctx, const char *dst_key,
				const char *current_key)
{
	struct json_object *meta;
	struct kms_response resp;
	const char *origin, *id;
	int r;

	if (!strncmp(dst_key, "acs:", 4))
		return op_fail_code(ctx, -EINVAL, ECS_ERR_KMS_KEY_ARN,
			"name the KMS key by its id or alias, not by ARN (%s): an ARN can name a key of another account, and a data key goes only under this account's keys",
			dst_key);
	r = describe_enabled(ctx, dst_key, &resp, &meta);
	if (r < 0)
		return r;
	origin = meta_str(meta, "Origin");
	id = meta_str(meta, "KeyId");
	if (!origin || !id) {
		r = op_fail(ctx, -EPROTO, "DescribeKey answer without Origin or KeyId");
	} else if (strcmp(origin, "Aliyun_KMS") &&
		   (!current_key || strcmp(id, current_key))) {
		r = op_fail_code(ctx, -EPERM, ECS_ERR_KMS_KEY_IMPORTED,
			"the KMS key %s has Origin %s (key material imported from outside the KMS): an existing data key moves only under a key whose material the KMS made; to use %s, create a disk under it and copy the data onto it (ecsenc-ctl copy-disk)",
			dst_key, origin, dst_key);
	}
	kms_response_release(&resp);
	return r;
}
