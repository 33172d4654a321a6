/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AES-256-GCM seal/open, the one cipher of the emulator: ciphertext blobs
 * (blob.c) and key material at rest (rootkey.c) both use it.
 */
#ifndef KMS_EMU_AEAD_H
#define KMS_EMU_AEAD_H

#include <stddef.h>

#define AEAD_KEY_LEN 32
#define AEAD_NONCE_LEN 12
#define AEAD_TAG_LEN 16

/* @out gets len bytes of ciphertext then the tag.  0 or -EIO. */
int aead_seal(const unsigned char *key, const unsigned char *nonce,
	      const void *aad, size_t aad_len, const void *in, size_t len,
	      unsigned char *out);
/* @in is ciphertext then tag (@len includes the tag).  0, -EBADMSG, -EIO. */
int aead_open(const unsigned char *key, const unsigned char *nonce,
	      const void *aad, size_t aad_len, const unsigned char *in,
	      size_t len, unsigned char *out);

#endif
