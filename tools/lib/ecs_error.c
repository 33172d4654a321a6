// SPDX-License-Identifier: GPL-2.0
/* The one table of errors (ecs_error.h). */
#include <errno.h>
#include <string.h>

#include "ecs_error.h"

static const struct ecs_error ecs_errors[ECS_ERR_COUNT] = {
#define ECS_ERROR_ENTRY(name, c, http, exit, what)			\
	[ECS_ERR_##name] = { .code = c, .http_status = http,		\
			     .exit_status = exit, .meaning = what },
	ECS_ERRORS(ECS_ERROR_ENTRY)
#undef ECS_ERROR_ENTRY
};

const struct ecs_error *ecs_error_get(enum ecs_err e)
{
	if (e <= ECS_ERR_NONE || e >= ECS_ERR_COUNT)
		e = ECS_ERR_INTERNAL;
	return &ecs_errors[e];
}

enum ecs_err ecs_error_find(const char *code)
{
	for (int e = ECS_ERR_NONE + 1; e < ECS_ERR_COUNT; e++)
		if (!strcmp(ecs_errors[e].code, code))
			return e;
	return ECS_ERR_NONE;
}

enum ecs_err ecs_error_from_errno(int err)
{
	switch (err < 0 ? -err : err) {
	case EINVAL: case E2BIG: case ERANGE: case EMSGSIZE: case ENAMETOOLONG:
		return ECS_ERR_INVALID_PARAMETER;
	case EBUSY: case EALREADY:
		return ECS_ERR_INCORRECT_DISK_STATUS;
	case EPERM: case EACCES: case EOPNOTSUPP:
		return ECS_ERR_OPERATION_DENIED;
	case EKEYREVOKED: case ENOKEY: case EKEYEXPIRED:
		return ECS_ERR_KMS_KEY_UNUSABLE;
	case ENOSPC: case EDQUOT:
		return ECS_ERR_INSUFFICIENT_CAPACITY;
	case EAGAIN:
		return ECS_ERR_THROTTLING;
	case ETIMEDOUT: case ECONNREFUSED: case ECONNRESET: case ENOTCONN:
	case ESHUTDOWN: case EHOSTUNREACH: case ENETUNREACH:
		return ECS_ERR_SERVICE_UNAVAILABLE;
	default:
		return ECS_ERR_INTERNAL;
	}
}
