// SPDX-License-Identifier: GPL-2.0
/*
 * Re-wrapping data keys: KMS ReEncrypt within a region (the plaintext
 * never leaves the KMS), and KMS Encrypt of a key this agent unwrapped,
 * for a region whose KMS cannot open the source region's blobs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "agent_kms.h"
#include "secmem.h"

/* CiphertextBlob, KeyId and KeyVersionId of a sealing answer into @out. */
static int take_blob(struct op_ctx *ctx, const struct kms_response *resp,
		     const char *asked_key, struct agent_kms_wrapped *out)
{
	const char *blob = kms_response_str(resp, "CiphertextBlob");
	const char *kid = kms_response_str(resp, "KeyId");
	const char *ver = kms_response_str(resp, "KeyVersionId");

	if (!blob || strlen(blob) >= sizeof(out->blob))
		return op_fail(ctx, -EPROTO, "KMS answer without a usable CiphertextBlob");
	snprintf(out->blob, sizeof(out->blob), "%s", blob);
	snprintf(out->key_id, sizeof(out->key_id), "%s", kid ? kid : asked_key);
	snprintf(out->key_version, sizeof(out->key_version), "%s", ver ? ver : "");
	return 0;
}

int agent_kms_reencrypt(struct op_ctx *ctx, const char *src_key,
			const char *wrapped, const char *src_context,
			const char *dst_key, const char *dst_context,
			struct agent_kms_wrapped *out)
{
	const char *params[] = {
		"CiphertextBlob", wrapped,
		"SourceEncryptionContext", src_context,
		"DestinationKeyId", dst_key,
		"DestinationEncryptionContext", dst_context, NULL,
	};
	struct kms_response resp;
	int r;

	ctx->kms_key = src_key;
	r = agent_kms_call(ctx, "ReEncrypt", params, &resp);
	if (r < 0)
		return r;
	r = take_blob(ctx, &resp, dst_key, out);
	kms_response_release(&resp);
	return r;
}

int agent_kms_wrap(struct op_ctx *ctx, const char *key_id,
		   const unsigned char *key, const char *context,
		   struct agent_kms_wrapped *out)
{
	/* Alibaba KMS data keys travel as base64 text: so does ours. */
	size_t b64_len = 4 * ((DATA_KEY_BYTES + 2) / 3) + 1;
	char *b64 = secmem_alloc(b64_len);
	struct kms_response resp;
	int r;

	if (!b64)
		return op_fail(ctx, -ENOMEM, "out of locked memory");
	EVP_EncodeBlock((unsigned char *)b64, key, DATA_KEY_BYTES);
	{
		const char *params[] = {
			"KeyId", key_id, "Plaintext", b64,
			"EncryptionContext", context, NULL,
		};

		ctx->kms_key = key_id;
		r = agent_kms_call(ctx, "Encrypt", params, &resp);
	}
	secmem_free(b64);
	if (r < 0)
		return r;
	r = take_blob(ctx, &resp, key_id, out);
	kms_response_release(&resp);
	return r;
}
