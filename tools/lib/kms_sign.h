/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Request signing for the Alibaba Cloud RPC API, shared by the KMS client
 * (which signs) and the kms-emulator (which verifies):
 *
 *  - v1: HMAC-SHA1 over "METHOD&%2F&" + percentEncode(sorted k=v&...),
 *    keyed with AccessKeySecret + "&", base64.
 *  - ACS3-HMAC-SHA256: hex HMAC-SHA256 over "ACS3-HMAC-SHA256\n" +
 *    hex(SHA-256(canonical request)).
 *
 * Plus the encodings both sides need: RFC 3986 percent-encoding, base64,
 * ISO 8601 timestamps and nonces.  Every function that returns a string
 * returns a malloc()ed one (NULL on allocation failure) unless it says so.
 */
#ifndef ECSENC_KMS_SIGN_H
#define ECSENC_KMS_SIGN_H

#include <stddef.h>
#include <time.h>

struct kms_param {
	const char *name;
	const char *value;
};

/* RFC 3986: unreserved characters kept, everything else %XX (upper hex). */
char *kms_percent_encode(const char *s);

/*
 * Decode %XX escapes of @len bytes at @s; with @plus_is_space also '+'
 * (form bodies).  Returns NULL on a malformed escape or an embedded NUL.
 */
char *kms_percent_decode(const char *s, size_t len, int plus_is_space);

/*
 * The canonicalized query string: the params except "Signature", each name
 * and value percent-encoded, sorted by encoded name (then value), joined
 * with '&'.  Used by both signature versions.
 */
char *kms_canonical_query(const struct kms_param *params, size_t n);

/* v1 string-to-sign: METHOD "&%2F&" percentEncode(canonical query). */
char *kms_v1_string_to_sign(const char *method,
			    const struct kms_param *params, size_t n);

/* v1 signature: base64(HMAC-SHA1(secret "&", string-to-sign)). */
#define KMS_V1_SIG_LEN 28
int kms_v1_hmac(const char *secret, const char *string_to_sign,
		char out[KMS_V1_SIG_LEN + 1]);
int kms_v1_sign(const char *secret, const char *method,
		const struct kms_param *params, size_t n,
		char out[KMS_V1_SIG_LEN + 1]);

/* ACS3: lower-case hex SHA-256 of @len bytes. */
#define KMS_SHA256_HEX_LEN 64
void kms_sha256_hex(const void *data, size_t len,
		    char out[KMS_SHA256_HEX_LEN + 1]);

/* ACS3: hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" hex(sha256(creq)))). */
int kms_acs3_sign(const char *secret, const char *canonical_request,
		  char out[KMS_SHA256_HEX_LEN + 1]);

/* Constant-time comparison of two NUL-terminated strings. */
int kms_str_equal_ct(const char *a, const char *b);

/* Standard base64 with padding, no line breaks. */
char *kms_base64_encode(const void *data, size_t len);
/*
 * Decode into @out (capacity @cap).  Returns the decoded length or -EINVAL
 * (bad input) / -ENOSPC (too long for @cap).
 */
long kms_base64_decode(const char *b64, void *out, size_t cap);

/*
 * "YYYY-MM-DDThh:mm:ssZ" (20 characters), UTC.  A time outside years
 * 0000-9999 has no such form: it is written as the nearest end of that
 * range (KMS_TIMESTAMP_MIN or KMS_TIMESTAMP_MAX), never longer.
 */
#define KMS_TIMESTAMP_LEN 20
#define KMS_TIMESTAMP_MIN (-62167219200LL)	/* 0000-01-01T00:00:00Z */
#define KMS_TIMESTAMP_MAX 253402300799LL	/* 9999-12-31T23:59:59Z */
void kms_format_timestamp(time_t t, char out[KMS_TIMESTAMP_LEN + 1]);
/* Parses that format (also with milliseconds "…ss.sssZ"); -EINVAL. */
int kms_parse_timestamp(const char *s, time_t *out);

/* A random UUID v4 string (36 characters). */
#define KMS_UUID_LEN 36
int kms_uuid(char out[KMS_UUID_LEN + 1]);

#endif
