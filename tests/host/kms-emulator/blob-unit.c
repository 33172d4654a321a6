// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the CiphertextBlob format (tools/kms-emulator/blob.c), its
 * sealing keys, and EncryptionContext canonicalization (context.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "aead.h"
#include "blob.h"
#include "context.h"
#include "kms_sign.h"
#include "unit.h"

static const unsigned char key[32] = "0123456789abcdef0123456789abcdef";

/* A request with the given name=value pairs (NULL-terminated). */
static void make_req(struct kms_request *req, const char *const *kv)
{
	memset(req, 0, sizeof(*req));
	for (; kv[0]; kv += 2) {
		req->params[req->nparams].name = (char *)kv[0];
		req->params[req->nparams].value = (char *)kv[1];
		req->nparams++;
	}
}

static int ctx_of(const char *const *kv, struct enc_context *c)
{
	struct kms_request req;

	make_req(&req, kv);
	return enc_context_parse(&req, "EncryptionContext", c);
}

static int same_ctx(const struct enc_context *a, const struct enc_context *b)
{
	return a->len == b->len && (!a->len || !memcmp(a->bytes, b->bytes, a->len));
}

static void test_context(void)
{
	static const char *const json[] = { "EncryptionContext", "{\"b\":\"2\",\"a\":\"1\"}", NULL };
	static const char *const flat[] = { "EncryptionContext.a", "1", "EncryptionContext.b", "2", NULL };
	static const char *const mixed[] = { "EncryptionContext", "{\"b\":\"2\"}", "EncryptionContext.a", "1", NULL };
	static const char *const split1[] = { "EncryptionContext", "{\"ab\":\"c\"}", NULL };
	static const char *const split2[] = { "EncryptionContext", "{\"a\":\"bc\"}", NULL };
	static const char *const conflict[] = { "EncryptionContext", "{\"a\":\"1\"}", "EncryptionContext.a", "2", NULL };
	static const char *const bad[] = { "EncryptionContext", "{\"a\":", NULL };
	static const char *const none[] = { NULL };
	static const char *const empty[] = { "EncryptionContext", "{}", NULL };
	struct enc_context a, b, c, d, e;

	CHECK(ctx_of(json, &a) == 0 && ctx_of(flat, &b) == 0 && ctx_of(mixed, &c) == 0);
	CHECK(same_ctx(&a, &b) && same_ctx(&a, &c));
	CHECK(ctx_of(split1, &d) == 0 && ctx_of(split2, &e) == 0);
	CHECK(!same_ctx(&d, &e));
	enc_context_free(&a);
	enc_context_free(&b);
	enc_context_free(&c);
	enc_context_free(&d);
	enc_context_free(&e);
	CHECK(ctx_of(conflict, &a) == -EINVAL);
	CHECK(ctx_of(bad, &a) == -EINVAL);
	CHECK(ctx_of(none, &a) == 0 && a.len == 0);
	CHECK(ctx_of(empty, &b) == 0 && b.len == 0);
}

static void test_round_trip(void)
{
	static const char *const kv[] = { "EncryptionContext.disk", "d-1", NULL };
	static const char *const other[] = { "EncryptionContext.disk", "d-2", NULL };
	unsigned char out[BLOB_MAX_PLAINTEXT], big[BLOB_MAX_PLAINTEXT + 1];
	struct enc_context c, o, none = { 0 };
	char *b64 = NULL;
	struct blob b;
	size_t len = 0;

	CHECK(ctx_of(kv, &c) == 0 && ctx_of(other, &o) == 0);
	CHECK(blob_seal("cn-hangzhou", "key-1", "ver-1", key, &c, "secret", 6, &b64) == 0);
	CHECK(b64 && blob_parse(b64, &b) == 0);
	if (!b64 || !b.raw)
		return;
	CHECK(!strcmp(b.region, "cn-hangzhou") && !strcmp(b.key_id, "key-1") &&
	      !strcmp(b.version_id, "ver-1"));
	CHECK(b.raw[0] == 'E' && b.raw[1] == 'K' && b.raw[2] == BLOB_VERSION);
	CHECK(blob_open(&b, key, &c, out, &len) == 0 && len == 6 && !memcmp(out, "secret", 6));
	CHECK(blob_open(&b, key, &o, out, &len) == -EBADMSG);
	CHECK(blob_open(&b, key, &none, out, &len) == -EBADMSG);
	{
		unsigned char wrong[32];

		memcpy(wrong, key, 32);
		wrong[0] ^= 1;
		CHECK(blob_open(&b, wrong, &c, out, &len) == -EBADMSG);
	}
	blob_release(&b);
	free(b64);
	/* Two seals of the same text differ (random nonce). */
	{
		char *x = NULL, *y = NULL;

		CHECK(blob_seal("r", "k", "v", key, NULL, "same", 4, &x) == 0);
		CHECK(blob_seal("r", "k", "v", key, NULL, "same", 4, &y) == 0);
		CHECK(x && y && strcmp(x, y));
		free(x);
		free(y);
	}
	memset(big, 'x', sizeof(big));
	CHECK(blob_seal("r", "k", "v", key, NULL, big, sizeof(big), &b64) == -EINVAL);
	CHECK(blob_seal("r", "k", "v", key, NULL, big, BLOB_MAX_PLAINTEXT, &b64) == 0);
	free(b64);
	enc_context_free(&c);
	enc_context_free(&o);
}

/* No single-bit change anywhere in a blob goes unnoticed. */
static void test_tamper(void)
{
	unsigned char raw[512], out[BLOB_MAX_PLAINTEXT];
	char *b64 = NULL, *t;
	struct blob b;
	size_t len, i;
	long n;
	int accepted = 0;

	CHECK(blob_seal("cn-hangzhou", "key-1", "ver-1", key, NULL, "data", 4, &b64) == 0);
	if (!b64)
		return;
	n = kms_base64_decode(b64, raw, sizeof(raw));
	CHECK(n > 0);
	for (i = 0; n > 0 && i < (size_t)n; i++) {
		raw[i] ^= 0x01;
		t = kms_base64_encode(raw, (size_t)n);
		if (t && blob_parse(t, &b) == 0) {
			if (blob_open(&b, key, NULL, out, &len) == 0)
				accepted++;
			blob_release(&b);
		}
		free(t);
		raw[i] ^= 0x01;
	}
	CHECK(accepted == 0);
	/* Truncations and other garbage do not parse. */
	t = kms_base64_encode(raw, 20);
	CHECK(t && blob_parse(t, &b) == -EINVAL);
	free(t);
	CHECK(blob_parse("", &b) == -EINVAL);
	CHECK(blob_parse("not base64", &b) == -EINVAL);
	raw[2] = 3;	/* a future format version */
	t = kms_base64_encode(raw, (size_t)n);
	CHECK(t && blob_parse(t, &b) == -EINVAL);
	free(t);
	free(b64);
}

/*
 * JSON's \u0000 puts a NUL inside a string: the context must keep the
 * whole value, so "d-1\u0000x" is not "d-1"; a key cannot hold a NUL.
 */
static void test_context_nul(void)
{
	static const char *const plain[] = { "EncryptionContext", "{\"disk\":\"d-1\"}", NULL };
	static const char *const nul[] = { "EncryptionContext", "{\"disk\":\"d-1\\u0000x\"}", NULL };
	static const char *const nul2[] = { "EncryptionContext", "{\"disk\":\"d-1\\u0000y\"}", NULL };
	static const char *const escaped[] = { "EncryptionContext", "{\"disk\":\"d-1\\\\u0000x\"}", NULL };
	static const char *const nul_key[] = { "EncryptionContext", "{\"disk\\u0000x\":\"d-1\"}", NULL };
	static const char *const both[] = { "EncryptionContext", "{\"disk\":\"d-1\\u0000x\"}",
					    "EncryptionContext.disk", "d-1", NULL };
	struct enc_context a, b, c, d;

	CHECK(ctx_of(plain, &a) == 0 && ctx_of(nul, &b) == 0 && ctx_of(nul2, &c) == 0);
	CHECK(!same_ctx(&a, &b));
	CHECK(!same_ctx(&b, &c));
	CHECK(b.len == a.len + 2);
	/* "\\u0000" is a backslash and five characters, not a NUL. */
	CHECK(ctx_of(escaped, &d) == 0 && d.len == a.len + 7);
	enc_context_free(&a);
	enc_context_free(&b);
	enc_context_free(&c);
	enc_context_free(&d);
	CHECK(ctx_of(nul_key, &a) == -EINVAL);
	CHECK(ctx_of(both, &a) == -EINVAL);
}

static void hex(const unsigned char *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/*
 * Format 2 seals with HKDF-SHA256(root key || material): the material
 * alone (what the owner of an imported key knows) opens nothing.
 */
static void test_sealing_key(void)
{
	unsigned char root[32], mat[32], k[BLOB_KEY_LEN], o[BLOB_KEY_LEN];
	unsigned char digest[32], out[BLOB_MAX_PLAINTEXT];
	char h[2 * BLOB_KEY_LEN + 1], *b64 = NULL;
	unsigned int dlen = sizeof(digest);
	struct blob b;
	size_t len, i;

	for (i = 0; i < 32; i++) {
		root[i] = (unsigned char)i;
		mat[i] = (unsigned char)(32 + i);
	}
	/* Known answer, computed with Python's hmac (RFC 5869 by hand). */
	CHECK(blob_sealing_key(BLOB_VERSION, root, mat, "cn-hangzhou", "key-1",
			       "ver-1", k) == 0);
	hex(k, sizeof(k), h);
	CHECK(!strcmp(h, "9b95d27f188983ff0372a9390c2d231970cff1c121d918fbb22ed99aa0fa5bd6"));
	CHECK(memcmp(k, mat, sizeof(k)) != 0);
	EVP_Digest(mat, sizeof(mat), digest, &dlen, EVP_sha256(), NULL);
	CHECK(memcmp(k, digest, sizeof(k)) != 0);
	/* Every input counts: root key, material, region, key, version. */
	root[0] ^= 1;
	CHECK(blob_sealing_key(BLOB_VERSION, root, mat, "cn-hangzhou", "key-1", "ver-1", o) == 0 &&
	      memcmp(k, o, sizeof(k)));
	root[0] ^= 1;
	mat[0] ^= 1;
	CHECK(blob_sealing_key(BLOB_VERSION, root, mat, "cn-hangzhou", "key-1", "ver-1", o) == 0 &&
	      memcmp(k, o, sizeof(k)));
	mat[0] ^= 1;
	CHECK(blob_sealing_key(BLOB_VERSION, root, mat, "cn-shanghai", "key-1", "ver-1", o) == 0 &&
	      memcmp(k, o, sizeof(k)));
	CHECK(blob_sealing_key(BLOB_VERSION, root, mat, "cn-hangzhou", "key-2", "ver-1", o) == 0 &&
	      memcmp(k, o, sizeof(k)));
	CHECK(blob_sealing_key(BLOB_VERSION, root, mat, "cn-hangzhou", "key-1", "ver-2", o) == 0 &&
	      memcmp(k, o, sizeof(k)));
	/* Fields are separated: ("ab", "c") is not ("a", "bc"). */
	CHECK(blob_sealing_key(BLOB_VERSION, root, mat, "r", "ab", "c", k) == 0 &&
	      blob_sealing_key(BLOB_VERSION, root, mat, "r", "a", "bc", o) == 0 &&
	      memcmp(k, o, sizeof(k)));
	/* Format 1 is the material; no other format has a key. */
	CHECK(blob_sealing_key(BLOB_VERSION_RAW, root, mat, "r", "k", "v", o) == 0 &&
	      !memcmp(o, mat, sizeof(o)));
	CHECK(blob_sealing_key(3, root, mat, "r", "k", "v", o) == -EINVAL);

	/* A blob sealed now is format 2 and does not open with the material. */
	CHECK(blob_sealing_key(BLOB_VERSION, root, mat, "cn-hangzhou", "key-1", "ver-1", k) == 0);
	CHECK(blob_seal("cn-hangzhou", "key-1", "ver-1", k, NULL, "secret", 6, &b64) == 0);
	CHECK(b64 && blob_parse(b64, &b) == 0 && b.format == BLOB_VERSION);
	if (b.raw) {
		CHECK(blob_open(&b, k, NULL, out, &len) == 0 && len == 6);
		CHECK(blob_open(&b, mat, NULL, out, &len) == -EBADMSG);
		blob_release(&b);
	}
	free(b64);
}

/* A blob of format 1, made as the emulator made them: the material seals. */
static char *seal_format1(const unsigned char *mat, const char *pt)
{
	static const char hdr[] = "EK\x01\x0b" "cn-hangzhou" "\x05" "key-1" "\x05" "ver-1";
	unsigned char raw[256];
	size_t hl = sizeof(hdr) - 1, n = strlen(pt);

	memcpy(raw, hdr, hl);
	memset(raw + hl, 7, AEAD_NONCE_LEN);
	hl += AEAD_NONCE_LEN;
	if (aead_seal(mat, raw + hl - AEAD_NONCE_LEN, raw, hl, pt, n, raw + hl))
		return NULL;
	return kms_base64_encode(raw, hl + n + AEAD_TAG_LEN);
}

/* Blobs of format 1 (kms.db and disk headers of older emulators) still open. */
static void test_format1(void)
{
	unsigned char root[32] = { 1 }, mat[32] = { 2 }, k[BLOB_KEY_LEN];
	unsigned char out[BLOB_MAX_PLAINTEXT];
	char *b64 = seal_format1(mat, "old secret");
	struct blob b;
	size_t len = 0;

	CHECK(b64 && blob_parse(b64, &b) == 0);
	if (!b64 || !b.raw)
		return;
	CHECK(b.format == BLOB_VERSION_RAW && !strcmp(b.key_id, "key-1"));
	CHECK(blob_sealing_key(b.format, root, mat, b.region, b.key_id,
			       b.version_id, k) == 0);
	CHECK(blob_open(&b, k, NULL, out, &len) == 0 && len == 10 &&
	      !memcmp(out, "old secret", 10));
	/* Read as format 2 it does not open. */
	CHECK(blob_sealing_key(BLOB_VERSION, root, mat, b.region, b.key_id,
			       b.version_id, k) == 0);
	CHECK(blob_open(&b, k, NULL, out, &len) == -EBADMSG);
	blob_release(&b);
	free(b64);
}

int main(void)
{
	test_context();
	test_context_nul();
	test_round_trip();
	test_tamper();
	test_sealing_key();
	test_format1();
	return unit_summary("blob and context tests passed");
}
