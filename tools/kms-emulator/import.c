// SPDX-License-Identifier: GPL-2.0
/*
 * BYOK: GetParametersForImport hands out an RSA-2048 public key and a
 * token; ImportKeyMaterial takes the 32-byte material encrypted to it.
 * The private key is kept, wrapped by the root key, until the token
 * expires (24 hours on the emulator's clock).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "actions.h"
#include "keys.h"
#include "kms_sign.h"
#include "log.h"
#include "rootkey.h"
#include "store.h"
#include "versions.h"

#define TOKEN_LIFETIME KMS_DAY
#define PRIVKEY_DER_MAX 4096

static const char *const algorithms[] = {
	"RSAES_PKCS1_V1_5", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", NULL,
};

static int known_algorithm(const char *alg)
{
	size_t i;

	for (i = 0; algorithms[i]; i++)
		if (!strcmp(alg, algorithms[i]))
			return 1;
	return 0;
}

/* The key must be EXTERNAL and not PendingDeletion. */
static enum kms_err importable(struct kms_ctx *ctx, const struct key_rec *k)
{
	if (strcmp(k->origin, "EXTERNAL"))
		return kms_fail(ctx, E_UNSUPPORTED_OPERATION,
				"Key material can only be imported into keys with Origin EXTERNAL.");
	if (k->state == KEY_PENDING_DELETION)
		return E_PENDING_DELETION;
	return KMS_OK;
}

static void token_aad(const char *token, char *aad, size_t cap)
{
	snprintf(aad, cap, "import:%s", token);
}

static int store_token(struct kms_ctx *ctx, const struct key_rec *k,
		       const char *token, const char *alg, long long expire,
		       const unsigned char *der, size_t der_len)
{
	unsigned char *wrapped = malloc(der_len + ROOTKEY_OVERHEAD);
	sqlite3_stmt *st = NULL;
	char aad[128];
	int ret = -ENOMEM;

	if (!wrapped)
		return -ENOMEM;
	token_aad(token, aad, sizeof(aad));
	ret = rootkey_wrap(ctx->emu, aad, der, der_len, wrapped);
	if (ret)
		goto out;
	st = store_prepare(ctx->emu,
		"INSERT INTO import_tokens (token, region, key_id, algorithm,"
		" expire, private_key) VALUES (?, ?, ?, ?, ?, ?)");
	if (!st) {
		ret = -EIO;
		goto out;
	}
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, alg, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, expire);
	sqlite3_bind_blob(st, 6, wrapped, (int)(der_len + ROOTKEY_OVERHEAD),
			  SQLITE_STATIC);
	ret = store_step_done(ctx->emu, st);
out:
	sqlite3_finalize(st);
	free(wrapped);
	return ret;
}

static void free_pkey(void *p)
{
	EVP_PKEY_free(p);
}

enum kms_err prep_get_parameters_for_import(struct kms_ctx *ctx,
					    struct json_object *out)
{
	ctx->scratch = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (!ctx->scratch)
		return E_INTERNAL;
	ctx->scratch_free = free_pkey;
	return KMS_OK;
}

enum kms_err act_get_parameters_for_import(struct kms_ctx *ctx,
					   struct json_object *out)
{
	const char *alg = req_param(ctx->req, "WrappingAlgorithm");
	const char *spec = req_param(ctx->req, "WrappingKeySpec");
	unsigned char *der = NULL, *pub = NULL, tok[32];
	char token[64], *pub_b64 = NULL;
	enum kms_err err = E_INTERNAL;
	EVP_PKEY *pkey = NULL;
	struct key_rec k;
	int der_len, pub_len;
	size_t i;

	err = key_find_param(ctx, "KeyId", &k);
	if (err)
		return err;
	if (!alg)
		return kms_missing(ctx, "WrappingAlgorithm");
	if (!known_algorithm(alg))
		return kms_invalid(ctx, "WrappingAlgorithm");
	if (!spec)
		return kms_missing(ctx, "WrappingKeySpec");
	if (strcmp(spec, "RSA_2048"))
		return kms_invalid(ctx, "WrappingKeySpec");
	err = importable(ctx, &k);
	if (err)
		return err;

	err = E_INTERNAL;
	pkey = ctx->scratch;	/* made by prep_get_parameters_for_import */
	if (!pkey || RAND_bytes(tok, sizeof(tok)) != 1)
		goto out;
	der_len = i2d_PrivateKey(pkey, &der);
	pub_len = i2d_PUBKEY(pkey, &pub);
	if (der_len <= 0 || der_len > PRIVKEY_DER_MAX || pub_len <= 0)
		goto out;
	/* Token: url-safe text, so that no client needs to escape it. */
	for (i = 0; i < 24; i++)
		snprintf(token + 2 * i, 3, "%02x", tok[i]);
	pub_b64 = kms_base64_encode(pub, (size_t)pub_len);
	if (!pub_b64)
		goto out;
	if (store_token(ctx, &k, token, alg, ctx->now + TOKEN_LIFETIME, der,
			(size_t)der_len))
		goto out;
	json_object_object_add(out, "KeyId", json_object_new_string(k.key_id));
	json_object_object_add(out, "ImportToken",
			       json_object_new_string(token));
	json_object_object_add(out, "PublicKey", json_object_new_string(pub_b64));
	json_object_object_add(out, "TokenExpireTime",
			       json_time((time_t)(ctx->now + TOKEN_LIFETIME)));
	err = KMS_OK;
out:
	if (der)
		OPENSSL_clear_free(der, (size_t)der_len);
	OPENSSL_free(pub);
	free(pub_b64);
	return err;
}

/* The token's private key, for @k, unexpired; NULL otherwise. */
static EVP_PKEY *token_key(struct kms_ctx *ctx, const struct key_rec *k,
			   const char *token, char *alg, size_t alg_cap)
{
	sqlite3_stmt *st = store_prepare(ctx->emu,
		"SELECT algorithm, private_key FROM import_tokens"
		" WHERE token = ? AND region = ? AND key_id = ? AND expire > ?");
	unsigned char der[PRIVKEY_DER_MAX];
	const unsigned char *p = der;
	EVP_PKEY *pkey = NULL;
	char aad[128];
	int len;

	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->key_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, ctx->now);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	snprintf(alg, alg_cap, "%s", store_text(st, 0));
	len = sqlite3_column_bytes(st, 1);
	if (len <= ROOTKEY_OVERHEAD || len - ROOTKEY_OVERHEAD > PRIVKEY_DER_MAX)
		goto out;
	token_aad(token, aad, sizeof(aad));
	if (rootkey_unwrap(ctx->emu, aad, sqlite3_column_blob(st, 1),
			   (size_t)len, der))
		goto out;
	pkey = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, len - ROOTKEY_OVERHEAD);
out:
	OPENSSL_cleanse(der, sizeof(der));
	sqlite3_finalize(st);
	return pkey;
}

/* RSA-decrypt @in with @alg's padding; the plaintext length or -errno. */
static long unwrap_material(EVP_PKEY *pkey, const char *alg,
			    const unsigned char *in, size_t len,
			    unsigned char *out, size_t cap)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pkey, NULL);
	size_t outlen = cap;
	long ret = -EINVAL;

	if (!c)
		return -ENOMEM;
	if (EVP_PKEY_decrypt_init(c) != 1)
		goto out;
	if (!strcmp(alg, "RSAES_PKCS1_V1_5")) {
		if (EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) != 1)
			goto out;
	} else {
		const EVP_MD *md = strcmp(alg, "RSAES_OAEP_SHA_1") ?
				   EVP_sha256() : EVP_sha1();

		if (EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_rsa_oaep_md(c, md) != 1 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md(c, md) != 1)
			goto out;
	}
	if (EVP_PKEY_decrypt(c, out, &outlen, in, len) == 1)
		ret = (long)outlen;
out:
	EVP_PKEY_CTX_free(c);
	return ret;
}

enum kms_err act_import_key_material(struct kms_ctx *ctx,
				     struct json_object *out)
{
	const char *enc = req_param(ctx->req, "EncryptedKeyMaterial");
	const char *token = req_param(ctx->req, "ImportToken");
	const char *expire_s = req_param(ctx->req, "KeyMaterialExpireUnix");
	unsigned char wrapped[512], material[512];
	enum kms_err err;
	EVP_PKEY *pkey = NULL;
	struct key_rec k;
	char alg[32];
	long wlen, mlen, expire = 0;
	int ret;

	err = key_find_param(ctx, "KeyId", &k);
	if (err)
		return err;
	if (!enc || !*enc)
		return kms_missing(ctx, "EncryptedKeyMaterial");
	if (!token || !*token)
		return kms_missing(ctx, "ImportToken");
	if (expire_s && parse_long(expire_s, 0, 253402300799L, &expire))
		return kms_invalid(ctx, "KeyMaterialExpireUnix");
	if (expire && expire <= ctx->now)
		return kms_fail(ctx, E_INVALID_PARAMETER,
				"KeyMaterialExpireUnix is in the past.");
	err = importable(ctx, &k);
	if (err)
		return err;
	if (k.state != KEY_PENDING_IMPORT)
		return kms_fail(ctx, E_STATE_MODIFIED_FAILED,
				"Key material can only be imported while the key is PendingImport.");
	wlen = kms_base64_decode(enc, wrapped, sizeof(wrapped));
	if (wlen <= 0)
		return kms_invalid(ctx, "EncryptedKeyMaterial");
	pkey = token_key(ctx, &k, token, alg, sizeof(alg));
	if (!pkey)
		return kms_fail(ctx, E_INVALID_IMPORT,
				"The ImportToken is not valid for this key, or has expired.");
	mlen = unwrap_material(pkey, alg, wrapped, (size_t)wlen, material,
			       sizeof(material));
	EVP_PKEY_free(pkey);
	if (mlen != KMS_MATERIAL_LEN) {
		err = kms_fail(ctx, E_INVALID_IMPORT,
			       "EncryptedKeyMaterial does not decrypt to 32 bytes with %s.",
			       alg);
		goto out;
	}
	ret = version_import(ctx, &k, material);
	if (ret == -EEXIST) {
		err = kms_fail(ctx, E_INVALID_IMPORT,
			       "The key material differs from the material imported before.");
		goto out;
	}
	if (ret) {
		err = E_INTERNAL;
		goto out;
	}
	k.state = KEY_ENABLED;
	k.material_expire = expire;
	err = key_update(ctx, &k) ? E_INTERNAL : KMS_OK;
out:
	OPENSSL_cleanse(material, sizeof(material));
	return err;
}

enum kms_err act_delete_key_material(struct kms_ctx *ctx,
				     struct json_object *out)
{
	struct key_rec k;
	enum kms_err err;

	err = key_find_param(ctx, "KeyId", &k);
	if (!err)
		err = importable(ctx, &k);
	if (err)
		return err;
	if (key_forget_material(ctx, &k))
		return E_INTERNAL;
	k.state = KEY_PENDING_IMPORT;
	k.material_expire = 0;
	return key_update(ctx, &k) ? E_INTERNAL : KMS_OK;
}
