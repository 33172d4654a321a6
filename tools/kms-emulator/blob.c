// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "aead.h"
#include "blob.h"
#include "context.h"
#include "kms_sign.h"

#define BLOB_MAX_RAW (3 + 3 * 256 + AEAD_NONCE_LEN + BLOB_MAX_PLAINTEXT + \
		      AEAD_TAG_LEN)

#define BLOB_KDF_SALT "ecsenc kms-emulator CiphertextBlob v2"

static int derive(const unsigned char *root_key, const unsigned char *material,
		  const char *region, const char *key_id,
		  const char *version_id, unsigned char *out)
{
	unsigned char ikm[KMS_ROOT_KEY_LEN + KMS_MATERIAL_LEN];
	char info[3 * (KMS_ID_MAX + 1)];
	OSSL_PARAM params[5], *p = params;
	EVP_KDF_CTX *kctx = NULL;
	EVP_KDF *kdf;
	int ilen, ret = -EIO;

	/* NUL-separated: no two (region, key, version) give the same info. */
	ilen = snprintf(info, sizeof(info), "%s%c%s%c%s", region, '\0', key_id,
			'\0', version_id);
	if (ilen < 0 || (size_t)ilen >= sizeof(info))
		return -EINVAL;
	memcpy(ikm, root_key, KMS_ROOT_KEY_LEN);
	memcpy(ikm + KMS_ROOT_KEY_LEN, material, KMS_MATERIAL_LEN);
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (kdf)
		kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (!kctx)
		goto out;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm,
						 sizeof(ikm));
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
						 (char *)BLOB_KDF_SALT,
						 sizeof(BLOB_KDF_SALT) - 1);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info,
						 (size_t)ilen);
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, BLOB_KEY_LEN, params) == 1)
		ret = 0;
out:
	EVP_KDF_CTX_free(kctx);
	OPENSSL_cleanse(ikm, sizeof(ikm));
	return ret;
}

int blob_sealing_key(int format, const unsigned char *root_key,
		     const unsigned char *material, const char *region,
		     const char *key_id, const char *version_id,
		     unsigned char out[BLOB_KEY_LEN])
{
	if (format == BLOB_VERSION_RAW) {
		memcpy(out, material, BLOB_KEY_LEN);
		return 0;
	}
	if (format != BLOB_VERSION)
		return -EINVAL;
	return derive(root_key, material, region, key_id, version_id, out);
}

static unsigned char *put_str(unsigned char *w, const char *s)
{
	size_t len = strlen(s);

	*w++ = (unsigned char)len;
	memcpy(w, s, len);
	return w + len;
}

/* Associated data: the header, then the canonical context. */
static unsigned char *make_aad(const unsigned char *hdr, size_t hdr_len,
			       const struct enc_context *ctx, size_t *len)
{
	size_t clen = ctx ? ctx->len : 0;
	unsigned char *aad = malloc(hdr_len + clen + 1);

	if (!aad)
		return NULL;
	memcpy(aad, hdr, hdr_len);
	if (clen)
		memcpy(aad + hdr_len, ctx->bytes, clen);
	*len = hdr_len + clen;
	return aad;
}

int blob_seal(const char *region, const char *key_id, const char *version_id,
	      const unsigned char *key, const struct enc_context *ctx,
	      const void *pt, size_t len, char **out)
{
	unsigned char *raw, *w, *aad = NULL;
	size_t hdr_len, aad_len, raw_len;
	int ret = -ENOMEM;

	if (len > BLOB_MAX_PLAINTEXT || strlen(region) > KMS_REGION_MAX ||
	    strlen(key_id) > KMS_ID_MAX || strlen(version_id) > KMS_ID_MAX)
		return -EINVAL;
	raw = malloc(BLOB_MAX_RAW);
	if (!raw)
		return -ENOMEM;
	w = raw;
	*w++ = 'E';
	*w++ = 'K';
	*w++ = BLOB_VERSION;
	w = put_str(w, region);
	w = put_str(w, key_id);
	w = put_str(w, version_id);
	if (RAND_bytes(w, AEAD_NONCE_LEN) != 1) {
		ret = -EIO;
		goto out;
	}
	w += AEAD_NONCE_LEN;
	hdr_len = (size_t)(w - raw);
	aad = make_aad(raw, hdr_len, ctx, &aad_len);
	if (!aad)
		goto out;
	ret = aead_seal(key, w - AEAD_NONCE_LEN, aad, aad_len, pt, len, w);
	if (ret)
		goto out;
	raw_len = hdr_len + len + AEAD_TAG_LEN;
	*out = kms_base64_encode(raw, raw_len);
	ret = *out ? 0 : -ENOMEM;
out:
	free(aad);
	OPENSSL_clear_free(raw, BLOB_MAX_RAW);
	return ret;
}

static int get_str(const unsigned char **r, const unsigned char *end,
		   char *dst, size_t cap)
{
	size_t len;

	if (*r >= end)
		return -EINVAL;
	len = **r;
	if (len == 0 || len >= cap || (size_t)(end - *r) < len + 1)
		return -EINVAL;
	memcpy(dst, *r + 1, len);
	dst[len] = '\0';
	if (strlen(dst) != len)
		return -EINVAL;
	*r += len + 1;
	return 0;
}

int blob_parse(const char *b64, struct blob *b)
{
	const unsigned char *r, *end;
	long n;

	memset(b, 0, sizeof(*b));
	b->raw = malloc(BLOB_MAX_RAW);
	if (!b->raw)
		return -ENOMEM;
	n = kms_base64_decode(b64, b->raw, BLOB_MAX_RAW);
	if (n < 3 + 6 + AEAD_NONCE_LEN + AEAD_TAG_LEN)
		goto bad;
	b->raw_len = (size_t)n;
	r = b->raw;
	end = b->raw + n;
	if (r[0] != 'E' || r[1] != 'K' ||
	    (r[2] != BLOB_VERSION && r[2] != BLOB_VERSION_RAW))
		goto bad;
	b->format = r[2];
	r += 3;
	if (get_str(&r, end, b->region, sizeof(b->region)) ||
	    get_str(&r, end, b->key_id, sizeof(b->key_id)) ||
	    get_str(&r, end, b->version_id, sizeof(b->version_id)))
		goto bad;
	if ((size_t)(end - r) < AEAD_NONCE_LEN + AEAD_TAG_LEN)
		goto bad;
	b->header_len = (size_t)(r - b->raw) + AEAD_NONCE_LEN;
	return 0;
bad:
	blob_release(b);
	return -EINVAL;
}

int blob_open(const struct blob *b, const unsigned char *key,
	      const struct enc_context *ctx, unsigned char *out,
	      size_t *out_len)
{
	size_t aad_len, ct_len = b->raw_len - b->header_len;
	unsigned char *aad;
	int ret;

	if (ct_len - AEAD_TAG_LEN > BLOB_MAX_PLAINTEXT)
		return -EBADMSG;
	aad = make_aad(b->raw, b->header_len, ctx, &aad_len);
	if (!aad)
		return -ENOMEM;
	ret = aead_open(key, b->raw + b->header_len - AEAD_NONCE_LEN, aad,
			aad_len, b->raw + b->header_len, ct_len, out);
	free(aad);
	if (!ret)
		*out_len = ct_len - AEAD_TAG_LEN;
	return ret;
}

void blob_release(struct blob *b)
{
	if (b->raw)
		OPENSSL_clear_free(b->raw, BLOB_MAX_RAW);
	b->raw = NULL;
}
