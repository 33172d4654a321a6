/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CiphertextBlob format, version 1 (the base64 of):
 *
 *   'E' 'K' 0x01                          magic, format version
 *   u8 len, region                        e.g. "cn-hangzhou"
 *   u8 len, key id                        the CMK
 *   u8 len, key version id                the CMK version that sealed it
 *   12 bytes                              GCM nonce (random)
 *   n bytes                               AES-256-GCM ciphertext
 *   16 bytes                              GCM tag
 *
 * Key: the key version's 32-byte material.  Associated data: every byte
 * before the ciphertext, followed by the canonical EncryptionContext, so
 * the header cannot be edited and the context must match.
 */
#ifndef KMS_EMU_BLOB_H
#define KMS_EMU_BLOB_H

#include <stddef.h>

#include "emulator.h"

#define BLOB_VERSION 1
#define BLOB_MAX_PLAINTEXT 6144

struct enc_context;

struct blob {
	char region[KMS_REGION_MAX + 1];
	char key_id[KMS_ID_MAX + 1];
	char version_id[KMS_ID_MAX + 1];
	unsigned char *raw;	/* decoded blob, malloc()ed */
	size_t raw_len;
	size_t header_len;	/* up to and including the nonce */
};

/* Seal @len bytes; *out gets the base64 blob (malloc()ed). */
int blob_seal(const char *region, const char *key_id, const char *version_id,
	      const unsigned char *key, const struct enc_context *ctx,
	      const void *pt, size_t len, char **out);

/* Decode and parse the header of @b64; -EINVAL when it is not a blob. */
int blob_parse(const char *b64, struct blob *b);

/* Decrypt into @out (at least BLOB_MAX_PLAINTEXT bytes); -EBADMSG. */
int blob_open(const struct blob *b, const unsigned char *key,
	      const struct enc_context *ctx, unsigned char *out,
	      size_t *out_len);

void blob_release(struct blob *b);

#endif
