/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The root key: 32 random bytes in <data-dir>/root.key (mode 0600),
 * created on first start, and never again while kms.db holds anything
 * sealed with it: a missing root.key then stops the start, and so does a
 * root.key other than the one kms.db names (meta root_key_id, 62 bits of
 * an HMAC of the key).  It wraps every key version's material and every
 * import private key stored in SQLite (AES-256-GCM, nonce ‖ ct ‖ tag, with
 * the owner's identity as associated data).
 */
#ifndef KMS_EMU_ROOTKEY_H
#define KMS_EMU_ROOTKEY_H

#include <stddef.h>

#include "aead.h"

struct emulator;

#define ROOTKEY_OVERHEAD (AEAD_NONCE_LEN + AEAD_TAG_LEN)

int rootkey_load(struct emulator *emu);
void rootkey_free(struct emulator *emu);

/* @out: len + ROOTKEY_OVERHEAD bytes. */
int rootkey_wrap(const struct emulator *emu, const char *aad,
		 const void *in, size_t len, unsigned char *out);
/* @len includes the overhead; @out gets len - ROOTKEY_OVERHEAD bytes. */
int rootkey_unwrap(const struct emulator *emu, const char *aad,
		   const unsigned char *in, size_t len, void *out);

#endif
