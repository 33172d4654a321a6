/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What several harnesses share: an input in a memfd, a real emulator
 * state in a temporary directory, and requests built from fuzz input and
 * signed with a test credential.
 */
#ifndef ECSENC_FUZZ_SUPPORT_H
#define ECSENC_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "emulator.h"

#define FUZZ_AK "fuzzid"
#define FUZZ_SECRET "fuzzsecret"
#define FUZZ_ADMIN_AK "fuzzadmin"
#define FUZZ_ADMIN_SECRET "fuzzadminsecret"

/* A memfd holding @size bytes of @data, at offset 0; aborts on failure. */
int fuzz_memfd(const void *data, size_t size);

/*
 * The emulator of this process: kms.db (synchronous=OFF: no fsync per
 * input), root.key, nonces.db and a credentials file with FUZZ_AK and
 * FUZZ_ADMIN_AK, in a directory removed at exit.
 */
struct emulator *fuzz_emulator(void);

/* Headers of a fuzzed request: "name: value" lines, looked up by name. */
struct fuzz_headers {
	size_t n;
	char *name[32];
	char *value[32];
};

/* Parse "name: value\n" lines of @len bytes; extra lines are ignored. */
void fuzz_headers_parse(struct fuzz_headers *h, const char *text, size_t len);
void fuzz_headers_free(struct fuzz_headers *h);
/* kms_request.header for @conn a struct fuzz_headers (case-insensitive). */
const char *fuzz_header(void *conn, const char *name);

/* Set parameter @name to @value (a copy), replacing it if present. */
void fuzz_set_param(struct kms_request *req, const char *name,
		    const char *value);
/* Sign @req (v1) as @ak with @secret: Signature replaced. */
void fuzz_sign_v1(struct kms_request *req, const char *ak, const char *secret);
/* A SignatureNonce never used before by this process. */
const char *fuzz_fresh_nonce(void);

#endif
