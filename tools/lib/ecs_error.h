/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one table of errors that ecsenc's programs answer with.
 *
 * Every refusal has an identity, set at the site that knows the cause: its
 * code (ECS's own where ECS has one, so that an ECS client reads it as it
 * reads ECS), the HTTP status an API server answers it with, the exit
 * status ecsenc-ctl ends with, and ECS's wording of what it means.  The
 * agent's reply, ecsenc-ctl's exit status and the API server's answer all
 * come from here; Documentation/operations.md lists the table, and a host
 * test keeps the two in step.
 */
#ifndef ECSENC_ECS_ERROR_H
#define ECSENC_ECS_ERROR_H

/* Exit statuses of ecsenc-ctl: a class of error each. */
#define CTL_EXIT_OK		0
#define CTL_EXIT_FAILURE	1	/* an internal or unexpected failure */
#define CTL_EXIT_USAGE		2	/* bad command line or parameter */
#define CTL_EXIT_NOT_FOUND	3	/* no such disk, snapshot, key, region */
#define CTL_EXIT_STATE		4	/* the resource's state forbids it now */
#define CTL_EXIT_DENIED		5	/* refused by policy, permission or key state */
#define CTL_EXIT_UNAVAILABLE	6	/* KMS, storage or agent away or busy: retry */
#define CTL_EXIT_INTEGRITY	7	/* a header or the audit trail is damaged */

/* X(enumerator, code, HTTP status, exit status, what it means) */
#define ECS_ERRORS(X)							\
	X(INTERNAL, "InternalError", 500, CTL_EXIT_FAILURE,		\
	  "The request processing has failed due to some unknown error.") \
	X(INVALID_PARAMETER, "InvalidParameter", 400, CTL_EXIT_USAGE,	\
	  "A parameter is not valid.")					\
	X(MISSING_PARAMETER, "MissingParameter", 400, CTL_EXIT_USAGE,	\
	  "A required parameter is missing.")				\
	X(UNKNOWN_ACTION, "InvalidAction.NotFound", 404, CTL_EXIT_USAGE, \
	  "The specified action is not found.")				\
	X(REGION_NOT_FOUND, "InvalidRegionId.NotFound", 404, CTL_EXIT_NOT_FOUND, \
	  "The specified RegionId does not exist.")			\
	X(DISK_NOT_FOUND, "InvalidDiskId.NotFound", 404, CTL_EXIT_NOT_FOUND, \
	  "The specified disk does not exist.")				\
	X(SNAPSHOT_NOT_FOUND, "InvalidSnapshotId.NotFound", 404, CTL_EXIT_NOT_FOUND, \
	  "The specified snapshot does not exist.")			\
	X(INSTANCE_NOT_FOUND, "InvalidInstanceId.NotFound", 404, CTL_EXIT_NOT_FOUND, \
	  "The specified instance does not exist.")			\
	X(KMS_KEY_NOT_FOUND, "InvalidParameter.KMSKeyId.NotFound", 404, CTL_EXIT_NOT_FOUND, \
	  "The specified KMS key does not exist.")			\
	X(SNAPSHOT_NOT_READY, "InvalidSnapshotId.NotReady", 403, CTL_EXIT_STATE, \
	  "The specified snapshot has not completed yet.")		\
	X(INCORRECT_DISK_STATUS, "IncorrectDiskStatus", 403, CTL_EXIT_STATE, \
	  "The current status of the disk does not support this operation.") \
	X(DISK_ALREADY_DETACHED, "InvalidDisk.AlreadyDetached", 404, CTL_EXIT_STATE, \
	  "The specified disk is not attached or already detached.")	\
	X(DEPENDENCY_VIOLATION, "DependencyViolation", 403, CTL_EXIT_STATE, \
	  "The specified disk is not attached to the specified instance.") \
	X(SNAPSHOT_CREATED_DISK, "SnapshotCreatedDisk", 403, CTL_EXIT_STATE, \
	  "The snapshot has created disks; delete it with Force.")	\
	X(CATEGORY_NOT_SUPPORTED, "InvalidDiskCategory.ValueNotSupported", 400, CTL_EXIT_USAGE, \
	  "The specified disk category is not supported.")		\
	X(DISK_SIZE_TOO_SMALL, "InvalidDiskSize.TooSmall", 403, CTL_EXIT_USAGE, \
	  "The specified disk size is too small.")			\
	X(DISK_SIZE_TOO_LARGE, "InvalidDiskSize.TooLarge", 403, CTL_EXIT_USAGE, \
	  "The specified disk size is too large.")			\
	X(ENCRYPTED_NOT_SUPPORTED, "InvalidParameter.EncryptedNotSupported", 403, CTL_EXIT_DENIED, \
	  "The specified disk category does not support encryption.")	\
	X(ENCRYPTED_ILLEGAL, "InvalidParameter.EncryptedIllegal", 400, CTL_EXIT_USAGE, \
	  "A KMS key was given for a disk that is not encrypted.")	\
	X(NOT_MATCH_DEFAULT_ENCRYPTION, "InvalidEncrypted.NotMatchDiskDefaultEncryption", 403, CTL_EXIT_DENIED, \
	  "Encryption by default is enabled: the disk must be encrypted.") \
	X(DEFAULT_ENCRYPTION_UNKNOWN, "OperationDenied.EncryptionByDefaultUnknown", 403, CTL_EXIT_STATE, \
	  "Whether the region encrypts new disks by default was lost: enable or disable it first.") \
	X(NOT_ENCRYPTED, "InvalidOperation.NotEncrypted", 403, CTL_EXIT_DENIED, \
	  "The disk or snapshot is not encrypted.")			\
	X(ENCRYPTION_CONVERSION, "OperationDenied.EncryptionConversion", 403, CTL_EXIT_DENIED, \
	  "An existing disk cannot be encrypted or decrypted in place.") \
	X(OPERATION_DENIED, "OperationDenied", 403, CTL_EXIT_DENIED,	\
	  "The operation is denied.")					\
	X(KMS_KEY_NOT_ENABLED, "InvalidParameter.KMSKeyId.CMKNotEnabled", 403, CTL_EXIT_DENIED, \
	  "The KMS key is not enabled.")				\
	X(KMS_KEY_UNUSABLE, "InvalidParameter.KMSKeyId.KeyUnusable", 403, CTL_EXIT_DENIED, \
	  "The KMS key cannot be used now.")				\
	X(KMS_KEY_GONE, "InvalidKMSKeyId.Deleted", 403, CTL_EXIT_DENIED, \
	  "The KMS key that wraps this data key no longer exists.")	\
	X(KMS_KEY_ARN, "InvalidKMSKeyId.Arn", 400, CTL_EXIT_USAGE,	\
	  "Name the KMS key by its id or alias: an ARN can name another account's key.") \
	X(KMS_KEY_IMPORTED, "InvalidKMSKeyId.ImportedMaterial", 403, CTL_EXIT_DENIED, \
	  "An existing data key moves only under a key whose material the KMS made.") \
	X(KMS_ACTION_FORBIDDEN, "Forbidden.KmsAction", 403, CTL_EXIT_DENIED, \
	  "The KMS action is not allowed through the agent.")		\
	X(KMS_ACCESS_DENIED, "Forbidden.KMS", 403, CTL_EXIT_DENIED,	\
	  "The KMS refused the agent's credentials or permissions.")	\
	X(FORBIDDEN, "Forbidden", 403, CTL_EXIT_DENIED,		\
	  "The caller is not allowed to do this.")			\
	X(CSRF_TOKEN_INVALID, "Forbidden.CsrfToken", 403, CTL_EXIT_DENIED, \
	  "The console request does not carry its session's CSRF token.") \
	X(SESSION_INVALID, "InvalidSession.NotFound", 401, CTL_EXIT_DENIED, \
	  "No console session, or it expired or was signed out: sign in again.") \
	X(KMS_CIPHERTEXT_MISMATCH, "InvalidDisk.KeyMismatch", 403, CTL_EXIT_INTEGRITY, \
	  "The KMS cannot unwrap the data key: the header does not belong to this key or context.") \
	X(HEADER_DAMAGED, "InvalidDisk.HeaderDamaged", 500, CTL_EXIT_INTEGRITY, \
	  "Both copies of the disk's header are damaged.")		\
	X(STORE_MISSING, "InvalidDisk.StoreMissing", 500, CTL_EXIT_INTEGRITY, \
	  "The disk's store is missing.")				\
	X(AUDIT_TAMPERED, "InvalidAuditLog.Tampered", 500, CTL_EXIT_INTEGRITY, \
	  "The audit trail was edited, cut short or replaced.")		\
	X(INSUFFICIENT_CAPACITY, "OperationDenied.NoStock", 403, CTL_EXIT_UNAVAILABLE, \
	  "There is not enough storage for the disk.")			\
	X(DEVICE_MAPPER_UNAVAILABLE, "OperationDenied.DeviceMapperUnavailable", 503, CTL_EXIT_UNAVAILABLE, \
	  "Device-mapper or the ecsenc target is not available on this host.") \
	X(INCOMPLETE_SIGNATURE, "IncompleteSignature", 400, CTL_EXIT_USAGE, \
	  "The request signature does not conform to Aliyun standards.") \
	X(SIGNATURE_MISMATCH, "SignatureDoesNotMatch", 400, CTL_EXIT_USAGE, \
	  "The request signature we calculated does not match the signature you provided.") \
	X(TIMESTAMP_EXPIRED, "InvalidTimeStamp.Expired", 400, CTL_EXIT_USAGE, \
	  "The timestamp of the request is out of the allowed window.")	\
	X(ACCESS_KEY_NOT_FOUND, "InvalidAccessKeyId.NotFound", 404, CTL_EXIT_NOT_FOUND, \
	  "The specified AccessKeyId is not found.")			\
	X(NONCE_USED, "SignatureNonceUsed", 400, CTL_EXIT_USAGE,	\
	  "The request signature nonce has been used.")		\
	X(IDEMPOTENT_MISMATCH, "IdempotentParameterMismatch", 400, CTL_EXIT_USAGE, \
	  "The ClientToken was used before with other parameters.")	\
	X(INCORRECT_INSTANCE_STATUS, "IncorrectInstanceStatus", 403, CTL_EXIT_STATE, \
	  "The current status of the instance does not support this operation.") \
	X(DISK_STILL_ATTACHED, "DiskStillAttached", 403, CTL_EXIT_STATE, \
	  "The disk is attached; detach it first.")			\
	X(THROTTLING, "Throttling", 400, CTL_EXIT_UNAVAILABLE,		\
	  "Request was denied due to request throttling.")		\
	X(SERVICE_UNAVAILABLE, "ServiceUnavailable", 503, CTL_EXIT_UNAVAILABLE, \
	  "The request has failed due to a temporary failure of the server.") \
	X(TASK_NOT_FOUND, "InvalidTaskId.NotFound", 404, CTL_EXIT_NOT_FOUND, \
	  "The specified task does not exist.")

enum ecs_err {
	ECS_ERR_NONE = 0,
#define ECS_ERROR_ENUM(name, code, http, exit, what) ECS_ERR_##name,
	ECS_ERRORS(ECS_ERROR_ENUM)
#undef ECS_ERROR_ENUM
	ECS_ERR_COUNT
};

struct ecs_error {
	const char *code;		/* "InvalidDiskId.NotFound" */
	int http_status;		/* 404 */
	int exit_status;		/* CTL_EXIT_* */
	const char *meaning;		/* ECS's wording, for documentation */
};

/* The entry of @e; ECS_ERR_NONE and out-of-range values give INTERNAL's. */
const struct ecs_error *ecs_error_get(enum ecs_err e);
/* The identity of @code, or ECS_ERR_NONE when no entry has that code. */
enum ecs_err ecs_error_find(const char *code);
/*
 * The identity of a negative (or positive) errno, for a failure whose site
 * named none: the class of the errno, never a specific resource's code.
 */
enum ecs_err ecs_error_from_errno(int err);

#endif
