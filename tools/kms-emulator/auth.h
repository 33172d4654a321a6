/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Request authentication: v1 (HMAC-SHA1, Signature parameter) or
 * ACS3-HMAC-SHA256 (Authorization header); the timestamp must be within
 * 15 minutes of the real time, and not older than the start of the
 * process; a SignatureNonce is accepted once per AccessKeyId (remembered
 * in memory for 30 minutes, hence the start-time rule).
 */
#ifndef KMS_EMU_AUTH_H
#define KMS_EMU_AUTH_H

#include "emulator.h"

int nonce_cache_new(struct nonce_cache **out);
void nonce_cache_free(struct nonce_cache *nc);

/* Sets ctx->access_key_id on success. */
enum kms_err auth_verify(struct kms_ctx *ctx);

/* The Action and Version of the request (parameter or x-acs-* header). */
const char *auth_action(const struct kms_request *req);
const char *auth_version(const struct kms_request *req);

#endif
