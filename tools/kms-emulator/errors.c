// SPDX-License-Identifier: GPL-2.0
#include "errors.h"

static const struct kms_err_info table[KMS_ERR_COUNT] = {
	[KMS_OK] = { "", 200, "" },
	[E_MISSING_PARAMETER] = { "MissingParameter", 400,
		"A parameter that is mandatory for processing this request is not supplied." },
	[E_INVALID_PARAMETER] = { "InvalidParameter", 400,
		"The specified parameter is not valid." },
	[E_INVALID_ACTION] = { "InvalidAction.NotFound", 404,
		"Specified api is not found, please check your url and method." },
	[E_INVALID_VERSION] = { "InvalidVersion", 400,
		"Specified parameter Version is not valid." },
	[E_INVALID_REGION] = { "InvalidRegionId", 400,
		"The specified RegionId is not valid." },
	[E_UNSUPPORTED_METHOD] = { "UnsupportedHTTPMethod", 405,
		"This http method is not supported." },
	[E_ILLEGAL_TIMESTAMP] = { "IllegalTimestamp", 400,
		"The input parameter Timestamp does not match the expected format, or is more than 15 minutes off the server time." },
	[E_INCOMPLETE_SIGNATURE] = { "IncompleteSignature", 400,
		"The request signature does not conform to Aliyun standards." },
	[E_SIGNATURE_MISMATCH] = { "SignatureDoesNotMatch", 400,
		"Specified signature is not matched with our calculation." },
	[E_NONCE_USED] = { "SignatureNonceUsed", 400,
		"Specified signature nonce was used already." },
	[E_ACCESS_KEY_NOT_FOUND] = { "InvalidAccessKeyId.NotFound", 404,
		"Specified access key is not found." },
	[E_NO_PERMISSION] = { "Forbidden.NoPermission", 403,
		"This operation is forbidden." },
	[E_KEY_NOT_FOUND] = { "Forbidden.KeyNotFound", 404,
		"The specified Key is not found." },
	[E_ALIAS_NOT_FOUND] = { "Forbidden.AliasNotFound", 404,
		"The specified Alias is not found." },
	[E_RESOURCE_NOT_FOUND] = { "Forbidden.ResourceNotFound", 404,
		"The specified resource is not found." },
	[E_ALIAS_EXISTS] = { "EntityAlreadyExists.Alias", 409,
		"The specified Alias already exists." },
	[E_DISABLED] = { "Rejected.Disabled", 409,
		"The request is rejected because the key is Disabled." },
	[E_PENDING_DELETION] = { "Rejected.PendingDeletion", 409,
		"The request is rejected because the key is PendingDeletion." },
	[E_PENDING_IMPORT] = { "Rejected.PendingImport", 409,
		"The request is rejected because the key is PendingImport." },
	[E_STATE_MODIFIED_FAILED] = { "Rejected.StateModifiedFailed", 409,
		"The key state cannot be changed that way." },
	[E_LIMIT_EXCEEDED] = { "Rejected.LimitExceeded", 409,
		"The number of keys exceeds the quota." },
	[E_UNSUPPORTED_OPERATION] = { "UnsupportedOperation", 400,
		"This operation is not supported for this key." },
	[E_INVALID_CIPHERTEXT] = { "InvalidParameter", 400,
		"The CiphertextBlob is not valid, or the EncryptionContext does not match." },
	[E_INVALID_IMPORT] = { "InvalidParameter", 400,
		"The EncryptedKeyMaterial or ImportToken is not valid." },
	[E_INTERNAL] = { "InternalFailure", 500,
		"The request processing has failed due to some unknown error." },
};

const struct kms_err_info *kms_err_info(enum kms_err e)
{
	if ((unsigned)e >= KMS_ERR_COUNT)
		e = E_INTERNAL;
	return &table[e];
}
