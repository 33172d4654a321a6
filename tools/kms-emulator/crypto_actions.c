// SPDX-License-Identifier: GPL-2.0
/* Envelope encryption: data keys, Encrypt, Decrypt, ReEncrypt. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "actions.h"
#include "blob.h"
#include "context.h"
#include "keys.h"
#include "kms_sign.h"
#include "log.h"
#include "versions.h"

#define DATA_KEY_MAX 1024

/*
 * The sealing key of blobs of @format under version @vid of @k.  A blob
 * of the old format under a key of imported material is refused (unless
 * --legacy-external-blobs): it was sealed with nothing but that material,
 * so whoever imported it could have opened it, or forged it, offline.
 */
static enum kms_err sealing_key(struct kms_ctx *ctx, const struct key_rec *k,
				const char *vid, int format, unsigned char *key)
{
	unsigned char material[KMS_MATERIAL_LEN];
	enum kms_err err;

	if (format == BLOB_VERSION_RAW && !strcmp(k->origin, "EXTERNAL")) {
		if (!ctx->emu->opt.legacy_external_blobs)
			return kms_fail(ctx, E_INVALID_CIPHERTEXT,
					"The CiphertextBlob is in format 1, sealed with nothing but the imported key material of key %s: whoever holds that material could have opened or forged it, so it is refused (see kms-emulator --legacy-external-blobs).",
					k->key_id);
		log_warn("accepted a format 1 CiphertextBlob of key %s (EXTERNAL), as --legacy-external-blobs asks",
			 k->key_id);
	}
	err = version_material(ctx, k, vid, material);
	if (!err && blob_sealing_key(format, ctx->emu->root_key, material,
				     k->region, k->key_id, vid, key))
		err = E_INTERNAL;
	OPENSSL_cleanse(material, sizeof(material));
	return err;
}

/* A json string that is wiped when the answer is (http.c wipes answers). */
static struct json_object *secret_string(const void *s, size_t len)
{
	return json_object_new_string_len(s, (int)len);
}

/*
 * Seal @pt under the primary version of @k with the context in parameter
 * @ctx_param; adds CiphertextBlob, KeyId and KeyVersionId to @out.
 */
static enum kms_err seal(struct kms_ctx *ctx, const struct key_rec *k,
			 const char *ctx_param, const void *pt, size_t len,
			 struct json_object *out)
{
	unsigned char key[BLOB_KEY_LEN];
	struct enc_context ec;
	enum kms_err err;
	char *blob = NULL;

	err = key_require_enabled(ctx, k);
	if (err)
		return err;
	if (enc_context_parse(ctx->req, ctx_param, &ec))
		return kms_invalid(ctx, ctx_param);
	err = sealing_key(ctx, k, k->primary_version, BLOB_VERSION, key);
	if (!err && blob_seal(k->region, k->key_id, k->primary_version,
			      key, &ec, pt, len, &blob))
		err = E_INTERNAL;
	OPENSSL_cleanse(key, sizeof(key));
	enc_context_free(&ec);
	if (err)
		return err;
	json_object_object_add(out, "CiphertextBlob",
			       json_object_new_string(blob));
	json_object_object_add(out, "KeyId", json_object_new_string(k->key_id));
	json_object_object_add(out, "KeyVersionId",
			       json_object_new_string(k->primary_version));
	free(blob);
	return KMS_OK;
}

/*
 * Open the blob in parameter @blob_param with the context in @ctx_param;
 * @pt needs BLOB_MAX_PLAINTEXT bytes.  @k and @b describe the blob's key.
 */
static enum kms_err unseal(struct kms_ctx *ctx, const char *blob_param,
			   const char *ctx_param, unsigned char *pt,
			   size_t *len, struct key_rec *k, struct blob *b)
{
	const char *b64 = req_param(ctx->req, blob_param);
	unsigned char key[BLOB_KEY_LEN];
	struct enc_context ec = { 0 };
	enum kms_err err;

	if (!b64 || !*b64)
		return kms_missing(ctx, blob_param);
	if (blob_parse(b64, b))
		return kms_fail(ctx, E_INVALID_CIPHERTEXT,
				"The specified %s is not a valid ciphertext.",
				blob_param);
	if (strcmp(b->region, ctx->region)) {
		kms_log_key(ctx, b->key_id);
		return kms_fail(ctx, E_KEY_NOT_FOUND,
				"The ciphertext was made by a key of region %s, not %s.",
				b->region, ctx->region);
	}
	err = key_find(ctx, b->key_id, k);
	if (!err)
		err = key_require_enabled(ctx, k);
	if (err)
		return err;
	if (enc_context_parse(ctx->req, ctx_param, &ec))
		return kms_invalid(ctx, ctx_param);
	err = sealing_key(ctx, k, b->version_id, b->format, key);
	if (!err && blob_open(b, key, &ec, pt, len))
		err = E_CONTEXT_MISMATCH;
	OPENSSL_cleanse(key, sizeof(key));
	enc_context_free(&ec);
	return err;
}

static enum kms_err generate(struct kms_ctx *ctx, struct json_object *out,
			     int with_plaintext)
{
	const char *spec = req_param(ctx->req, "KeySpec");
	const char *nbytes = req_param(ctx->req, "NumberOfBytes");
	unsigned char raw[DATA_KEY_MAX];
	struct key_rec k;
	enum kms_err err;
	char *b64 = NULL;
	long len = 32;

	err = key_find_param(ctx, "KeyId", &k);
	if (err)
		return err;
	if (nbytes) {
		if (parse_long(nbytes, 1, DATA_KEY_MAX, &len))
			return kms_fail(ctx, E_INVALID_PARAMETER,
					"NumberOfBytes must be between 1 and %d.",
					DATA_KEY_MAX);
	} else if (spec && !strcmp(spec, "AES_128")) {
		len = 16;
	} else if (spec && strcmp(spec, "AES_256")) {
		return kms_invalid(ctx, "KeySpec");
	}
	if (RAND_priv_bytes(raw, (int)len) != 1)
		return E_INTERNAL;
	b64 = kms_base64_encode(raw, (size_t)len);
	OPENSSL_cleanse(raw, sizeof(raw));
	if (!b64)
		return E_INTERNAL;
	/* As in Alibaba KMS, the blob holds the base64 text of the key. */
	err = seal(ctx, &k, "EncryptionContext", b64, strlen(b64), out);
	if (!err && with_plaintext)
		json_object_object_add(out, "Plaintext",
				       secret_string(b64, strlen(b64)));
	OPENSSL_clear_free(b64, strlen(b64));
	return err;
}

enum kms_err act_generate_data_key(struct kms_ctx *ctx, struct json_object *out)
{
	return generate(ctx, out, 1);
}

enum kms_err act_generate_data_key_without_plaintext(struct kms_ctx *ctx,
						     struct json_object *out)
{
	return generate(ctx, out, 0);
}

enum kms_err act_encrypt(struct kms_ctx *ctx, struct json_object *out)
{
	const char *pt = req_param(ctx->req, "Plaintext");
	struct key_rec k;
	enum kms_err err;

	err = key_find_param(ctx, "KeyId", &k);
	if (err)
		return err;
	if (!pt || !*pt)
		return kms_missing(ctx, "Plaintext");
	if (strlen(pt) > BLOB_MAX_PLAINTEXT)
		return kms_fail(ctx, E_INVALID_PARAMETER,
				"Plaintext is longer than %d bytes.",
				BLOB_MAX_PLAINTEXT);
	return seal(ctx, &k, "EncryptionContext", pt, strlen(pt), out);
}

enum kms_err act_decrypt(struct kms_ctx *ctx, struct json_object *out)
{
	unsigned char pt[BLOB_MAX_PLAINTEXT];
	struct key_rec k;
	struct blob b = { 0 };
	enum kms_err err;
	size_t len = 0;

	err = unseal(ctx, "CiphertextBlob", "EncryptionContext", pt, &len,
		     &k, &b);
	if (!err) {
		json_object_object_add(out, "KeyId",
				       json_object_new_string(k.key_id));
		json_object_object_add(out, "KeyVersionId",
				       json_object_new_string(b.version_id));
		json_object_object_add(out, "Plaintext", secret_string(pt, len));
	}
	OPENSSL_cleanse(pt, sizeof(pt));
	blob_release(&b);
	return err;
}

enum kms_err act_re_encrypt(struct kms_ctx *ctx, struct json_object *out)
{
	unsigned char pt[BLOB_MAX_PLAINTEXT];
	struct key_rec src, dst;
	struct blob b = { 0 };
	enum kms_err err;
	size_t len = 0;

	if (!req_param(ctx->req, "DestinationKeyId"))
		return kms_missing(ctx, "DestinationKeyId");
	err = unseal(ctx, "CiphertextBlob", "SourceEncryptionContext", pt,
		     &len, &src, &b);
	if (!err)
		err = key_find_param(ctx, "DestinationKeyId", &dst);
	if (!err)
		err = seal(ctx, &dst, "DestinationEncryptionContext", pt, len,
			   out);
	if (!err) {
		json_object_object_add(out, "SourceKeyId",
				       json_object_new_string(src.key_id));
		json_object_object_add(out, "SourceKeyVersionId",
				       json_object_new_string(b.version_id));
	}
	OPENSSL_cleanse(pt, sizeof(pt));
	blob_release(&b);
	return err;
}
