/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CiphertextBlob format, version 2 (the base64 of):
 *
 *   'E' 'K' 0x02                          magic, format version
 *   u8 len, region                        e.g. "cn-hangzhou"
 *   u8 len, key id                        the CMK
 *   u8 len, key version id                the CMK version that sealed it
 *   12 bytes                              GCM nonce (random)
 *   n bytes                               AES-256-GCM ciphertext
 *   16 bytes                              GCM tag
 *
 * Key: the sealing key of the key version (blob_sealing_key), derived
 * from the emulator's root key and the version's material, so that
 * knowing the material (an EXTERNAL key's, imported by its owner) opens
 * nothing.  Associated data: every byte before the ciphertext, followed
 * by the canonical EncryptionContext, so the header cannot be edited and
 * the context must match.
 *
 * Version 1 is the same layout sealed directly with the 32 bytes of
 * material; blobs of it are still read (crypto_actions.c says which).
 */
#ifndef KMS_EMU_BLOB_H
#define KMS_EMU_BLOB_H

#include <stddef.h>

#include "emulator.h"

#define BLOB_VERSION 2		/* what blob_seal() writes */
#define BLOB_VERSION_RAW 1	/* sealed with the bare material */
#define BLOB_MAX_PLAINTEXT 6144
#define BLOB_KEY_LEN 32

struct enc_context;

struct blob {
	char region[KMS_REGION_MAX + 1];
	char key_id[KMS_ID_MAX + 1];
	char version_id[KMS_ID_MAX + 1];
	int format;		/* BLOB_VERSION or BLOB_VERSION_RAW */
	unsigned char *raw;	/* decoded blob, malloc()ed */
	size_t raw_len;
	size_t header_len;	/* up to and including the nonce */
};

/*
 * The key that seals blobs of @format under one key version: for
 * BLOB_VERSION, HKDF-SHA256 of root key || material, with the region, key
 * id and version id as info; for BLOB_VERSION_RAW, the material itself.
 * 0, -EINVAL (unknown format), -EIO.
 */
int blob_sealing_key(int format, const unsigned char *root_key,
		     const unsigned char *material, const char *region,
		     const char *key_id, const char *version_id,
		     unsigned char out[BLOB_KEY_LEN]);

/*
 * Seal @len bytes in format BLOB_VERSION with @key (from
 * blob_sealing_key); *out gets the base64 blob (malloc()ed).
 */
int blob_seal(const char *region, const char *key_id, const char *version_id,
	      const unsigned char *key, const struct enc_context *ctx,
	      const void *pt, size_t len, char **out);

/*
 * Decode and parse the header of @b64 (either format); -EINVAL when it is
 * not a blob.
 */
int blob_parse(const char *b64, struct blob *b);

/*
 * Decrypt into @out (at least BLOB_MAX_PLAINTEXT bytes) with the sealing
 * key of b->format; -EBADMSG.
 */
int blob_open(const struct blob *b, const unsigned char *key,
	      const struct enc_context *ctx, unsigned char *out,
	      size_t *out_len);

void blob_release(struct blob *b);

#endif
