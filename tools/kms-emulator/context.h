/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EncryptionContext: given as a JSON object string ("EncryptionContext=
 * {"k":"v"}") or flattened ("EncryptionContext.k=v"), or both.  It becomes
 * associated data of the blob: its pairs sorted by key, each written as
 * 4-byte big-endian length + key, 4-byte length + value.
 */
#ifndef KMS_EMU_CONTEXT_H
#define KMS_EMU_CONTEXT_H

#include <stddef.h>

struct kms_request;

struct enc_context {
	unsigned char *bytes;	/* canonical form, malloc()ed; NULL if empty */
	size_t len;
};

/* @name: "EncryptionContext", "SourceEncryptionContext", … ; -EINVAL. */
int enc_context_parse(const struct kms_request *req, const char *name,
		      struct enc_context *out);
void enc_context_free(struct enc_context *c);

#endif
