/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every error the emulator answers with: one table maps the KMS Code to
 * its HTTP status and default Message (errors.c).
 */
#ifndef KMS_EMU_ERRORS_H
#define KMS_EMU_ERRORS_H

enum kms_err {
	KMS_OK = 0,
	E_MISSING_PARAMETER,
	E_INVALID_PARAMETER,
	E_INVALID_ACTION,
	E_INVALID_VERSION,
	E_INVALID_REGION,
	E_UNSUPPORTED_METHOD,
	E_ILLEGAL_TIMESTAMP,
	E_INCOMPLETE_SIGNATURE,
	E_SIGNATURE_MISMATCH,
	E_NONCE_USED,
	E_THROTTLED,
	E_ACCESS_KEY_NOT_FOUND,
	E_NO_PERMISSION,
	E_KEY_NOT_FOUND,
	E_ALIAS_NOT_FOUND,
	E_RESOURCE_NOT_FOUND,
	E_ALIAS_EXISTS,
	E_DISABLED,
	E_PENDING_DELETION,
	E_PENDING_IMPORT,
	E_STATE_MODIFIED_FAILED,
	E_LIMIT_EXCEEDED,
	E_UNSUPPORTED_OPERATION,
	E_INVALID_CIPHERTEXT,
	E_CONTEXT_MISMATCH,
	E_INVALID_IMPORT,
	E_INTERNAL,
	KMS_ERR_COUNT
};

struct kms_err_info {
	const char *code;
	int http_status;
	const char *message;	/* default Message */
};

const struct kms_err_info *kms_err_info(enum kms_err e);

#endif
