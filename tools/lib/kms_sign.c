// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "kms_sign.h"

static int is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == '~';
}

char *kms_percent_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(s);
	char *out = malloc(len * 3 + 1), *p = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (is_unreserved(c)) {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return out;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *kms_percent_decode(const char *s, size_t len, int plus_is_space)
{
	char *out = malloc(len + 1), *p = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= len)
				goto bad;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				goto bad;
			*p++ = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus_is_space) {
			*p++ = ' ';
		} else if (s[i] == '\0') {
			goto bad;
		} else {
			*p++ = s[i];
		}
	}
	*p = '\0';
	return out;
bad:
	OPENSSL_clear_free(out, len + 1);
	return NULL;
}

struct enc_pair {
	char *name;
	char *value;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct enc_pair *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r ? r : strcmp(x->value, y->value);
}

char *kms_canonical_query(const struct kms_param *params, size_t n)
{
	struct enc_pair *pairs = calloc(n ? n : 1, sizeof(*pairs));
	size_t i, m = 0, total = 1;
	char *out = NULL, *p;

	if (!pairs)
		return NULL;
	for (i = 0; i < n; i++) {
		if (!strcmp(params[i].name, "Signature"))
			continue;
		pairs[m].name = kms_percent_encode(params[i].name);
		pairs[m].value = kms_percent_encode(params[i].value);
		if (!pairs[m].name || !pairs[m].value) {
			m++;
			goto out;
		}
		total += strlen(pairs[m].name) + strlen(pairs[m].value) + 2;
		m++;
	}
	qsort(pairs, m, sizeof(*pairs), cmp_pair);
	out = malloc(total);
	if (!out)
		goto out;
	p = out;
	*p = '\0';
	for (i = 0; i < m; i++)
		p += sprintf(p, "%s%s=%s", i ? "&" : "", pairs[i].name,
			     pairs[i].value);
out:
	for (i = 0; i < m; i++) {
		OPENSSL_clear_free(pairs[i].name,
				   pairs[i].name ? strlen(pairs[i].name) : 0);
		OPENSSL_clear_free(pairs[i].value,
				   pairs[i].value ? strlen(pairs[i].value) : 0);
	}
	free(pairs);
	return out;
}

char *kms_v1_string_to_sign(const char *method,
			    const struct kms_param *params, size_t n)
{
	char *canon = kms_canonical_query(params, n), *enc, *out;
	size_t mlen = strlen(method), elen;

	if (!canon)
		return NULL;
	enc = kms_percent_encode(canon);
	OPENSSL_clear_free(canon, strlen(canon));
	if (!enc)
		return NULL;
	/* Built in place: asprintf() would leave copies in what it outgrew. */
	elen = strlen(enc);
	out = malloc(mlen + sizeof("&%2F&") - 1 + elen + 1);
	if (out) {
		memcpy(out, method, mlen);
		memcpy(out + mlen, "&%2F&", 5);
		memcpy(out + mlen + 5, enc, elen + 1);
	}
	OPENSSL_clear_free(enc, elen);
	return out;
}

int kms_v1_hmac(const char *secret, const char *string_to_sign,
		char out[KMS_V1_SIG_LEN + 1])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	size_t klen = strlen(secret) + 1;
	char *key;
	int ret = 0;

	key = malloc(klen);
	if (!key)
		return -ENOMEM;
	memcpy(key, secret, klen - 1);
	key[klen - 1] = '&';
	if (!HMAC(EVP_sha1(), key, (int)klen,
		  (const unsigned char *)string_to_sign, strlen(string_to_sign),
		  mac, &maclen) || maclen != 20)
		ret = -EIO;
	else
		EVP_EncodeBlock((unsigned char *)out, mac, (int)maclen);
	OPENSSL_clear_free(key, klen);
	OPENSSL_cleanse(mac, sizeof(mac));
	return ret;
}

int kms_v1_sign(const char *secret, const char *method,
		const struct kms_param *params, size_t n,
		char out[KMS_V1_SIG_LEN + 1])
{
	char *sts = kms_v1_string_to_sign(method, params, n);
	int ret;

	if (!sts)
		return -ENOMEM;
	ret = kms_v1_hmac(secret, sts, out);
	OPENSSL_clear_free(sts, strlen(sts));
	return ret;
}

static void to_hex(const unsigned char *in, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * len] = '\0';
}

void kms_sha256_hex(const void *data, size_t len,
		    char out[KMS_SHA256_HEX_LEN + 1])
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	to_hex(md, 32, out);
}

int kms_acs3_sign(const char *secret, const char *canonical_request,
		  char out[KMS_SHA256_HEX_LEN + 1])
{
	char sts[sizeof("ACS3-HMAC-SHA256\n") + KMS_SHA256_HEX_LEN];
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char hash[KMS_SHA256_HEX_LEN + 1];

	kms_sha256_hex(canonical_request, strlen(canonical_request), hash);
	snprintf(sts, sizeof(sts), "ACS3-HMAC-SHA256\n%s", hash);
	if (!HMAC(EVP_sha256(), secret, (int)strlen(secret),
		  (const unsigned char *)sts, strlen(sts), mac, &maclen) ||
	    maclen != 32)
		return -EIO;
	to_hex(mac, 32, out);
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

int kms_str_equal_ct(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return 0;
	return CRYPTO_memcmp(a, b, la) == 0;
}

char *kms_base64_encode(const void *data, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	if (!out)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

long kms_base64_decode(const char *b64, void *out, size_t cap)
{
	size_t len = strlen(b64), pad = 0, dlen, i;
	unsigned char *tmp;
	int n;

	if (len == 0)
		return 0;
	if (len % 4)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = b64[i];

		if (c == '=') {
			if (i < len - 2)
				return -EINVAL;
			pad++;
		} else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			     (c >= '0' && c <= '9') || c == '+' || c == '/') ||
			   pad) {
			return -EINVAL;
		}
	}
	dlen = len / 4 * 3 - pad;
	if (dlen > cap)
		return -ENOSPC;
	tmp = malloc(len / 4 * 3);
	if (!tmp)
		return -ENOMEM;
	n = EVP_DecodeBlock(tmp, (const unsigned char *)b64, (int)len);
	if (n < 0 || (size_t)n != len / 4 * 3) {
		OPENSSL_clear_free(tmp, len / 4 * 3);
		return -EINVAL;
	}
	memcpy(out, tmp, dlen);
	OPENSSL_clear_free(tmp, len / 4 * 3);
	return (long)dlen;
}

void kms_format_timestamp(time_t t, char out[KMS_TIMESTAMP_LEN + 1])
{
	struct tm tm = { .tm_year = 8099, .tm_mon = 11, .tm_mday = 31,
			 .tm_hour = 23, .tm_min = 59, .tm_sec = 59 };

	if ((long long)t > KMS_TIMESTAMP_MAX)
		t = (time_t)KMS_TIMESTAMP_MAX;
	if ((long long)t < KMS_TIMESTAMP_MIN)
		t = (time_t)KMS_TIMESTAMP_MIN;
	gmtime_r(&t, &tm);
	/* %Y would not pad years below 1000: four digits, always. */
	/* The clamp keeps every field in range; the moduli say so to -Wformat. */
	snprintf(out, KMS_TIMESTAMP_LEN + 1, "%04u-%02u-%02uT%02u:%02u:%02uZ",
		 (unsigned int)(tm.tm_year + 1900) % 10000,
		 (unsigned int)(tm.tm_mon + 1) % 100,
		 (unsigned int)tm.tm_mday % 100, (unsigned int)tm.tm_hour % 100,
		 (unsigned int)tm.tm_min % 100, (unsigned int)tm.tm_sec % 100);
}

int kms_parse_timestamp(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	const char *end;

	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return -EINVAL;
	if (*end == '.') {
		end++;
		while (*end >= '0' && *end <= '9')
			end++;
	}
	if (strcmp(end, "Z"))
		return -EINVAL;
	*out = timegm(&tm);
	return *out == (time_t)-1 ? -EINVAL : 0;
}

int kms_uuid(char out[KMS_UUID_LEN + 1])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -EIO;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, KMS_UUID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}
