/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The agent's use of the KMS: per-region clients, retries of transient
 * failures within a deadline, permanent failures in plain words, and a
 * count of every call under the management operation that made it.
 */
#ifndef ECSENC_AGENT_KMS_H
#define ECSENC_AGENT_KMS_H

#include <stddef.h>

#include "agent.h"
#include "kms_api.h"
#include "kms_client.h"

#define DATA_KEY_BYTES		64	/* AES-256-XTS: Key1 || Key2 */

/*
 * One KMS use with retries.  0 on success (release @resp); otherwise
 * -errno with ctx->error set in plain words (@resp already released).
 */
int agent_kms_call(struct op_ctx *ctx, const char *action,
		   const char *const *params, struct kms_response *resp);

/* The same without retries: one signed call (the kms pass-through). */
int agent_kms_call_once(struct op_ctx *ctx, const char *action,
			const char *const *params, struct kms_response *resp);

/* The encryption context that binds a wrapped key to its lineage. */
void agent_kms_context(const char *lineage_id, const char *region,
		       char *buf, size_t len);

/*
 * A new wrapped data key under @key_id; the CMK's real id in @key_id_out,
 * the version that wrapped it in @version_out ("" if the KMS says none).
 */
int agent_kms_new_data_key(struct op_ctx *ctx, const char *key_id,
			   const char *context,
			   char *wrapped, size_t wrapped_len,
			   char *key_id_out, size_t key_id_len,
			   char *version_out, size_t version_len);

/* Unwrap into a secmem buffer of DATA_KEY_BYTES (secmem_free it). */
int agent_kms_unwrap(struct op_ctx *ctx, const char *kms_key_id,
		     const char *wrapped, const char *context,
		     unsigned char **key);

/* Fail unless the CMK is Enabled (DescribeKey). */
int agent_kms_check_key(struct op_ctx *ctx, const char *kms_key_id);
/*
 * The same for the CMK that wraps a stored data key: when it no longer
 * exists the error says that data is lost, not that the id is mistyped.
 */
int agent_kms_check_data_key(struct op_ctx *ctx, const char *kms_key_id);

/*
 * Fail unless an existing data key, now under @current_key (NULL: none
 * of this region), may move under @dst_key, in one DescribeKey: a key of
 * this account (named by id or alias, not by ARN), Enabled, whose
 * material the KMS made (Origin Aliyun_KMS), or @current_key itself.
 * Documentation/operations.md, "Who may rewrap what".
 */
int agent_kms_check_destination(struct op_ctx *ctx, const char *dst_key,
				const char *current_key);

/* A data key wrapped by the KMS: what goes into a header. */
struct agent_kms_wrapped {
	char blob[2048];		/* CiphertextBlob */
	char key_id[128];		/* the CMK's id */
	char key_version[64];		/* its version that sealed the blob */
};

/*
 * KMS ReEncrypt (agent_kms_wrap.c): @wrapped, bound to @src_context, under
 * the current version of @dst_key (the same CMK for a rewrap) bound to
 * @dst_context.  @src_key names the source CMK in errors.
 */
int agent_kms_reencrypt(struct op_ctx *ctx, const char *src_key,
			const char *wrapped, const char *src_context,
			const char *dst_key, const char *dst_context,
			struct agent_kms_wrapped *out);

/*
 * KMS Encrypt of the DATA_KEY_BYTES at @key (a secmem buffer from
 * agent_kms_unwrap) under @key_id in ctx->region.
 */
int agent_kms_wrap(struct op_ctx *ctx, const char *key_id,
		   const unsigned char *key, const char *context,
		   struct agent_kms_wrapped *out);

void agent_kms_free_clients(struct agent *a);

#endif
