/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Request authentication: v1 (HMAC-SHA1, Signature parameter) or
 * ACS3-HMAC-SHA256 (Authorization header); the timestamp must be within
 * 15 minutes of the real time; a SignatureNonce is accepted once per
 * AccessKeyId while its timestamp is (nonces.h keeps it across restarts).
 */
#ifndef KMS_EMU_AUTH_H
#define KMS_EMU_AUTH_H

#include "emulator.h"

/* Sets ctx->access_key_id on success. */
enum kms_err auth_verify(struct kms_ctx *ctx);

/* The Action and Version of the request (parameter or x-acs-* header). */
const char *auth_action(const struct kms_request *req);
const char *auth_version(const struct kms_request *req);

#endif
