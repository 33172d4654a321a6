// SPDX-License-Identifier: GPL-2.0
/*
 * What an attacker holding a key's material does with a CiphertextBlob,
 * and what an older emulator wrote, for the tests of blob sealing:
 *
 *   blob-offline header STORE
 *       print the wrapped key and the encryption context of an ecsenc
 *       store's header (two lines)
 *   blob-offline open BLOB MATERIAL_HEX CONTEXT_JSON
 *       try to open BLOB offline with the 32 bytes of material: as the
 *       sealing key itself (format 1), and the straightforward ways to
 *       derive a key from it; exit 0 and print the variant and the
 *       plaintext if one opens, 1 if none does
 *   blob-offline seal1 REGION KEY_ID VERSION_ID MATERIAL_HEX CONTEXT_JSON TEXT
 *       print a format 1 blob of TEXT, sealed directly with the material
 *   blob-offline material ROOT_KEY_FILE WRAPPED_HEX AAD
 *       print (hex) a key version's material from its kms.db row
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "aead.h"
#include "context.h"
#include "disk_header.h"
#include "emulator.h"
#include "kms_sign.h"

#define RAW_MAX 8192

static int unhex(const char *s, unsigned char *out, size_t n)
{
	size_t i;

	if (strlen(s) != 2 * n)
		return -1;
	for (i = 0; i < n; i++)
		if (sscanf(s + 2 * i, "%2hhx", &out[i]) != 1)
			return -1;
	return 0;
}

/* The canonical context bytes, as the emulator builds them. */
static int context_of(const char *json, struct enc_context *c)
{
	struct kms_request req;

	memset(&req, 0, sizeof(req));
	req.params[0].name = (char *)"EncryptionContext";
	req.params[0].value = (char *)json;
	req.nparams = 1;
	return enc_context_parse(&req, "EncryptionContext", c);
}

static int hkdf(const unsigned char *ikm, size_t ikm_len, const void *salt,
		size_t salt_len, const void *info, size_t info_len,
		unsigned char *out)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM p[5], *q = p;
	int ok;

	EVP_KDF_free(kdf);
	if (!kctx)
		return -1;
	*q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len);
	if (salt_len)
		*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
	*q = OSSL_PARAM_construct_end();
	ok = EVP_KDF_derive(kctx, out, 32, p) == 1;
	EVP_KDF_CTX_free(kctx);
	return ok ? 0 : -1;
}

/* The header fields of a blob: three length-prefixed strings after "EK"+format. */
struct parsed {
	unsigned char raw[RAW_MAX];
	size_t len, hdr_len;	/* hdr_len: up to and including the nonce */
	char field[3][256];	/* region, key id, version id */
};

static int parse(const char *b64, struct parsed *p)
{
	long n = kms_base64_decode(b64, p->raw, sizeof(p->raw));
	size_t off = 3, i, l;

	if (n < 3 || p->raw[0] != 'E' || p->raw[1] != 'K')
		return -1;
	p->len = (size_t)n;
	for (i = 0; i < 3; i++) {
		if (off >= p->len)
			return -1;
		l = p->raw[off];
		if (off + 1 + l > p->len)
			return -1;
		memcpy(p->field[i], p->raw + off + 1, l);
		p->field[i][l] = '\0';
		off += 1 + l;
	}
	p->hdr_len = off + AEAD_NONCE_LEN;
	return p->hdr_len + AEAD_TAG_LEN <= p->len ? 0 : -1;
}

static int try_open(const struct parsed *p, const unsigned char *key,
		    const struct enc_context *c, int with_ctx, unsigned char *out)
{
	unsigned char aad[RAW_MAX + 1024];
	size_t alen = p->hdr_len;

	memcpy(aad, p->raw, p->hdr_len);
	if (with_ctx && c->len) {
		memcpy(aad + alen, c->bytes, c->len);
		alen += c->len;
	}
	return aead_open(key, p->raw + p->hdr_len - AEAD_NONCE_LEN, aad, alen,
			 p->raw + p->hdr_len, p->len - p->hdr_len, out);
}

static int cmd_open(const char *b64, const char *mat_hex, const char *ctx_json)
{
	static const char *const salts[] = {
		"", "ecsenc kms-emulator CiphertextBlob v2", "ecsenc", NULL,
	};
	unsigned char mat[32], keys[64][32], out[RAW_MAX];
	const char *names[64];
	char info[3][800];
	unsigned int hl;
	struct enc_context c;
	struct parsed p;
	size_t nk = 0, i, j, s;
	int w;

	if (unhex(mat_hex, mat, sizeof(mat)) || parse(b64, &p) ||
	    context_of(ctx_json, &c)) {
		fprintf(stderr, "blob-offline: bad input\n");
		return 2;
	}
	snprintf(info[0], sizeof(info[0]), "%s", "");
	snprintf(info[1], sizeof(info[1]), "%s/%s", p.field[1], p.field[2]);
	w = snprintf(info[2], sizeof(info[2]), "%s%c%s%c%s", p.field[0], '\0',
		     p.field[1], '\0', p.field[2]);
	memcpy(keys[nk], mat, 32);
	names[nk++] = "the material itself (format 1)";
	EVP_Digest(mat, 32, keys[nk], &hl, EVP_sha256(), NULL);
	names[nk++] = "SHA-256 of the material";
	for (s = 0; salts[s]; s++) {
		for (i = 0; i < 3; i++) {
			if (hkdf(mat, 32, salts[s], strlen(salts[s]), info[i],
				 i == 2 ? (size_t)w : strlen(info[i]), keys[nk]) == 0)
				names[nk++] = "HKDF-SHA256 of the material";
		}
	}
	hl = 32;
	HMAC(EVP_sha256(), mat, 32, (const unsigned char *)p.field[1],
	     strlen(p.field[1]), keys[nk], &hl);
	names[nk++] = "HMAC-SHA256(material, key id)";
	for (i = 0; i < nk; i++) {
		for (j = 0; j < 2; j++) {
			if (try_open(&p, keys[i], &c, (int)j, out) == 0) {
				printf("opened with %s: %.*s\n", names[i],
				       (int)(p.len - p.hdr_len - AEAD_TAG_LEN), out);
				return 0;
			}
		}
	}
	printf("no variant opens the blob (%zu keys tried)\n", nk);
	return 1;
}

static int cmd_seal1(char **a)
{
	unsigned char mat[32], raw[RAW_MAX], aad[RAW_MAX + 1024];
	size_t off = 3, i, l, n = strlen(a[5]);
	struct enc_context c;
	char *b64;

	if (unhex(a[3], mat, sizeof(mat)) || context_of(a[4], &c) || n > 4096)
		return 2;
	raw[0] = 'E';
	raw[1] = 'K';
	raw[2] = 1;
	for (i = 0; i < 3; i++) {
		l = strlen(a[i]);
		raw[off] = (unsigned char)l;
		memcpy(raw + off + 1, a[i], l);
		off += 1 + l;
	}
	RAND_bytes(raw + off, AEAD_NONCE_LEN);
	off += AEAD_NONCE_LEN;
	memcpy(aad, raw, off);
	if (c.len)
		memcpy(aad + off, c.bytes, c.len);
	if (aead_seal(mat, raw + off - AEAD_NONCE_LEN, aad, off + c.len, a[5], n,
		      raw + off))
		return 1;
	b64 = kms_base64_encode(raw, off + n + AEAD_TAG_LEN);
	printf("%s\n", b64);
	free(b64);
	return 0;
}

static int cmd_material(const char *root_file, const char *wrapped_hex,
			const char *aad)
{
	unsigned char root[32], wrapped[32 + AEAD_NONCE_LEN + AEAD_TAG_LEN], mat[32];
	int fd = open(root_file, O_RDONLY), i;

	if (fd < 0 || read(fd, root, 32) != 32 ||
	    unhex(wrapped_hex, wrapped, sizeof(wrapped)))
		return 2;
	close(fd);
	if (aead_open(root, wrapped, aad, strlen(aad), wrapped + AEAD_NONCE_LEN,
		      sizeof(wrapped) - AEAD_NONCE_LEN, mat))
		return 1;
	for (i = 0; i < 32; i++)
		printf("%02x", mat[i]);
	printf("\n");
	return 0;
}

static int cmd_header(const char *path)
{
	struct disk_header h;
	int fd = open(path, O_RDONLY), repaired;

	if (fd < 0 || disk_header_read(fd, &h, &repaired) < 0)
		return 1;
	close(fd);
	printf("%s\n%s\n", h.wrapped_key, h.encryption_context);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "header"))
		return cmd_header(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "open"))
		return cmd_open(argv[2], argv[3], argv[4]);
	if (argc == 8 && !strcmp(argv[1], "seal1"))
		return cmd_seal1(argv + 2);
	if (argc == 5 && !strcmp(argv[1], "material"))
		return cmd_material(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: see the head of blob-offline.c\n");
	return 2;
}
