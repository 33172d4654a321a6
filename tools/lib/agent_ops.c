// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "agent_ops.h"

#define ARG(field, type, req) \
	{ #field, AGENT_ARG_##type, req, offsetof(struct agent_args, field) }
#define END { NULL, 0, false, 0 }

static const struct agent_arg_policy no_args[] = { END };
static const struct agent_arg_policy disk_arg[] = {
	ARG(disk_id, ID, true), END
};
static const struct agent_arg_policy delete_snapshot_args[] = {
	ARG(snapshot_id, ID, true), ARG(force, BOOL, false), END
};
static const struct agent_arg_policy create_disk_args[] = {
	ARG(size, SIZE, false),
	ARG(category, NAME, false),
	ARG(encrypted, BOOL, false),
	ARG(kms_key_id, ID, false),
	ARG(snapshot_id, ID, false),
	ARG(unencrypted, BOOL, false),
	ARG(copy_source, BOOL, false),
	ARG(new_id, ID, false),
	END
};
static const struct agent_arg_policy create_snapshot_args[] = {
	ARG(disk_id, ID, true), ARG(new_id, ID, false), END
};
static const struct agent_arg_policy attach_disk_args[] = {
	ARG(disk_id, ID, true), ARG(force, BOOL, false), END
};
static const struct agent_arg_policy reset_disk_args[] = {
	ARG(disk_id, ID, true), ARG(snapshot_id, ID, true), END
};
static const struct agent_arg_policy describe_disks_args[] = {
	ARG(disk_ids, ID_LIST, false), END
};
static const struct agent_arg_policy rewrap_disk_args[] = {
	ARG(disk_id, ID, true), ARG(kms_key_id, ID, false), END
};
static const struct agent_arg_policy rewrap_snapshot_args[] = {
	ARG(snapshot_id, ID, true), ARG(kms_key_id, ID, false), END
};
static const struct agent_arg_policy copy_snapshot_args[] = {
	ARG(snapshot_id, ID, true), ARG(kms_key_id, ID, false),
	ARG(destination_region, REGION, false), ARG(encrypted, BOOL, false),
	ARG(new_id, ID, false),
	END
};
static const struct agent_arg_policy key_arg[] = {
	ARG(kms_key_id, ID, true), END
};
static const struct agent_arg_policy audit_args[] = {
	ARG(disk_id, ID, false), END
};
static const struct agent_arg_policy kms_args[] = {
	ARG(action, NAME, true), ARG(params, KMS_PARAMS, false), END
};

#define OP(op_id, op_name, bill, policy) \
	[AGENT_OP_##op_id] = { AGENT_OP_##op_id, op_name, bill, policy }

static const struct agent_op ops[AGENT_OP_COUNT] = {
	OP(CREATE_DISK, "create-disk", "CreateDisk", create_disk_args),
	OP(ATTACH_DISK, "attach-disk", "AttachDisk", attach_disk_args),
	OP(DETACH_DISK, "detach-disk", "DetachDisk", disk_arg),
	OP(CREATE_SNAPSHOT, "create-snapshot", "CreateSnapshot", create_snapshot_args),
	OP(RESET_DISK, "reset-disk", "ResetDisk", reset_disk_args),
	OP(REINIT_DISK, "reinit-disk", "ReInitDisk", disk_arg),
	OP(DELETE_DISK, "delete-disk", "DeleteDisk", disk_arg),
	OP(DELETE_SNAPSHOT, "delete-snapshot", "DeleteSnapshot", delete_snapshot_args),
	OP(DESCRIBE_DISKS, "describe-disks", "DescribeDisks", describe_disks_args),
	OP(DESCRIBE_SNAPSHOTS, "describe-snapshots", "DescribeSnapshots", no_args),
	OP(DESCRIBE_KMS_USAGE, "describe-kms-usage", "DescribeKmsUsage", no_args),
	OP(KMS, "kms", "KmsApi", kms_args),
	OP(REBUILD_CATALOG, "rebuild-catalog", "RebuildCatalog", no_args),
	OP(REWRAP_DISK, "rewrap-disk", "RewrapDisk", rewrap_disk_args),
	OP(REWRAP_SNAPSHOT, "rewrap-snapshot", "RewrapSnapshot", rewrap_snapshot_args),
	OP(COPY_SNAPSHOT, "copy-snapshot", "CopySnapshot", copy_snapshot_args),
	OP(ENABLE_ENCRYPTION_BY_DEFAULT, "enable-disk-encryption-by-default",
	   "EnableDiskEncryptionByDefault", no_args),
	OP(DISABLE_ENCRYPTION_BY_DEFAULT, "disable-disk-encryption-by-default",
	   "DisableDiskEncryptionByDefault", no_args),
	OP(DESCRIBE_ENCRYPTION_BY_DEFAULT, "describe-disk-encryption-by-default-status",
	   "DescribeDiskEncryptionByDefaultStatus", no_args),
	OP(DESCRIBE_DEFAULT_KMS_KEY, "describe-disk-default-kms-key-id",
	   "DescribeDiskDefaultKMSKeyId", no_args),
	OP(MODIFY_DEFAULT_KMS_KEY, "modify-disk-default-kms-key-id",
	   "ModifyDiskDefaultKMSKeyId", key_arg),
	OP(RESET_DEFAULT_KMS_KEY, "reset-disk-default-kms-key-id",
	   "ResetDiskDefaultKMSKeyId", no_args),
	OP(DESCRIBE_AUDIT_EVENTS, "describe-audit-events", "DescribeAuditEvents",
	   audit_args),
	OP(VERIFY_AUDIT_LOG, "verify-audit-log", "VerifyAuditLog", no_args),
};

const struct agent_op *agent_op_get(enum agent_op_id id)
{
	return (unsigned int)id < AGENT_OP_COUNT ? &ops[id] : NULL;
}

const struct agent_op *agent_op_find(const char *name)
{
	for (size_t i = 0; name && i < AGENT_OP_COUNT; i++)
		if (!strcmp(ops[i].name, name))
			return &ops[i];
	return NULL;
}

static const struct agent_arg_policy *policy_find(const struct agent_op *op,
						  const char *name)
{
	for (const struct agent_arg_policy *p = op->args; p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

/* Ids, key ids, aliases, categories and actions: no spaces, no controls. */
static bool is_token(const char *s, size_t len, size_t max)
{
	if (len == 0 || len > max || strlen(s) != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("._:/-", c)))
			return false;
	}
	return true;
}

static bool json_token(struct json_object *v, size_t max)
{
	return json_object_is_type(v, json_type_string) &&
	       is_token(json_object_get_string(v),
			(size_t)json_object_get_string_len(v), max);
}

/* A region id is also a directory name: no '/', no leading '.'. */
bool agent_region_valid(const char *region)
{
	return is_token(region, strlen(region), REGION_ID_MAX) &&
	       !strchr(region, '/') && region[0] != '.';
}

static bool json_region(struct json_object *v)
{
	return json_token(v, REGION_ID_MAX) &&
	       agent_region_valid(json_object_get_string(v));
}

static int fail(char *err, size_t len, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t len, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return r;
}

static int decode_size(struct json_object *v, uint64_t *out, const char *name,
		       char *err, size_t len)
{
	int64_t n;

	if (!json_object_is_type(v, json_type_int))
		return fail(err, len, -EINVAL, "argument %s must be an integer number of bytes", name);
	errno = 0;
	n = json_object_get_int64(v);
	if (errno || n < (int64_t)AGENT_DISK_SIZE_MIN ||
	    (uint64_t)n > AGENT_DISK_SIZE_MAX)
		return fail(err, len, -ERANGE,
			    "argument %s: a disk is 1 MiB to 32 TiB", name);
	if ((uint64_t)n % AGENT_DISK_SIZE_ALIGN)
		return fail(err, len, -EINVAL,
			    "argument %s: a disk size is a multiple of 4096 bytes", name);
	*out = (uint64_t)n;
	return 0;
}

static int decode_ids(struct json_object *v, struct agent_args *a,
		      const char *name, char *err, size_t len)
{
	size_t n;

	if (!json_object_is_type(v, json_type_array))
		return fail(err, len, -EINVAL, "argument %s must be an array of ids", name);
	n = json_object_array_length(v);
	if (n > AGENT_MAX_IDS)
		return fail(err, len, -E2BIG, "argument %s: at most %d ids",
			    name, AGENT_MAX_IDS);
	for (size_t i = 0; i < n; i++) {
		struct json_object *id = json_object_array_get_idx(v, i);

		if (!json_token(id, AGENT_ID_MAX))
			return fail(err, len, -EINVAL,
				    "argument %s: element %zu is not an id", name, i);
		a->disk_ids[i] = json_object_get_string(id);
	}
	a->n_disk_ids = n;
	return 0;
}

static int decode_params(struct json_object *v, struct agent_args *a,
			 const char *name, char *err, size_t len)
{
	size_t n = 0;

	if (!json_object_is_type(v, json_type_object))
		return fail(err, len, -EINVAL,
			    "argument %s must be an object of Name: \"Value\" pairs", name);
	json_object_object_foreach(v, key, val) {
		if (n == AGENT_MAX_KMS_PARAMS)
			return fail(err, len, -E2BIG, "argument %s: at most %d parameters",
				    name, AGENT_MAX_KMS_PARAMS);
		if (!is_token(key, strlen(key), AGENT_ID_MAX))
			return fail(err, len, -EINVAL,
				    "argument %s: bad parameter name", name);
		if (!json_object_is_type(val, json_type_string))
			return fail(err, len, -EINVAL,
				    "argument %s: parameter %s must be a string", name, key);
		a->params[n].name = key;
		a->params[n].value = json_object_get_string(val);
		n++;
	}
	a->n_params = n;
	return 0;
}

static int decode_arg(const struct agent_arg_policy *p, struct json_object *v,
		      struct agent_args *a, char *err, size_t len)
{
	void *field = (char *)a + p->offset;

	switch (p->type) {
	case AGENT_ARG_ID:
	case AGENT_ARG_NAME:
		if (!json_token(v, AGENT_ID_MAX))
			return fail(err, len, -EINVAL,
				    "argument %s must be a string of letters, digits and ._:/- (at most %d)",
				    p->name, AGENT_ID_MAX);
		*(const char **)field = json_object_get_string(v);
		return 0;
	case AGENT_ARG_REGION:
		if (!json_region(v))
			return fail(err, len, -EINVAL,
				    "argument %s must be a region id (letters, digits and ._:-, not starting with ., at most %d bytes)",
				    p->name, REGION_ID_MAX);
		*(const char **)field = json_object_get_string(v);
		return 0;
	case AGENT_ARG_SIZE:
		return decode_size(v, field, p->name, err, len);
	case AGENT_ARG_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return fail(err, len, -EINVAL, "argument %s must be true or false",
				    p->name);
		*(bool *)field = json_object_get_boolean(v);
		return 0;
	case AGENT_ARG_ID_LIST:
		return decode_ids(v, a, p->name, err, len);
	case AGENT_ARG_KMS_PARAMS:
		return decode_params(v, a, p->name, err, len);
	}
	return fail(err, len, -EINVAL, "argument %s has no type", p->name);
}

int agent_request_decode(struct json_object *req, struct agent_request *out,
			 char *err, size_t err_len)
{
	struct json_object *v, *args = NULL;
	const struct agent_arg_policy *p;
	int r;

	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(req, json_type_object))
		return fail(err, err_len, -EINVAL, "a request is a JSON object");
	json_object_object_foreach(req, field, field_val) {
		(void)field_val;
		if (strcmp(field, "op") && strcmp(field, "region") &&
		    strcmp(field, "args") && strcmp(field, "request_id") &&
		    strcmp(field, "progress"))
			return fail(err, err_len, -EINVAL, "unknown request field %s",
				    field);
	}
	if (!json_object_object_get_ex(req, "op", &v) ||
	    !json_object_is_type(v, json_type_string))
		return fail(err, err_len, -EINVAL, "a request needs \"op\", a string");
	out->op = agent_op_find(json_object_get_string(v));
	if (!out->op)
		return fail(err, err_len, -EINVAL, "unknown operation");
	if (json_object_object_get_ex(req, "region", &v)) {
		if (!json_region(v))
			return fail(err, err_len, -EINVAL, "bad region name");
		out->region = json_object_get_string(v);
	}
	if (json_object_object_get_ex(req, "request_id", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    !request_id_valid(json_object_get_string(v)))
			return fail(err, err_len, -EINVAL,
				    "bad request_id (letters, digits and -, at most %d)",
				    REQUEST_ID_MAX);
		out->request_id = json_object_get_string(v);
	}
	if (json_object_object_get_ex(req, "progress", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return fail(err, err_len, -EINVAL, "\"progress\" must be true or false");
		out->progress = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(req, "args", &args) && args &&
	    !json_object_is_type(args, json_type_object))
		return fail(err, err_len, -EINVAL, "\"args\" must be an object");
	if (args) {
		json_object_object_foreach(args, key, val) {
			p = policy_find(out->op, key);
			if (!p)
				return fail(err, err_len, -EINVAL,
					    "%s takes no argument %s", out->op->name, key);
			r = decode_arg(p, val, &out->args, err, err_len);
			if (r < 0)
				return r;
		}
	}
	for (p = out->op->args; p->name; p++)
		if (p->required && !(args && json_object_object_get_ex(args, p->name, NULL)))
			return fail(err, err_len, -EINVAL, "%s needs argument %s",
				    out->op->name, p->name);
	return 0;
}

static void encode_arg(struct json_object *o, const struct agent_arg_policy *p,
		       const struct agent_args *a)
{
	const void *field = (const char *)a + p->offset;
	struct json_object *v = NULL;

	switch (p->type) {
	case AGENT_ARG_ID:
	case AGENT_ARG_NAME:
	case AGENT_ARG_REGION:
		if (*(const char *const *)field)
			v = json_object_new_string(*(const char *const *)field);
		break;
	case AGENT_ARG_SIZE:
		if (*(const uint64_t *)field)
			v = json_object_new_int64((int64_t)*(const uint64_t *)field);
		break;
	case AGENT_ARG_BOOL:
		if (*(const bool *)field)
			v = json_object_new_boolean(1);
		break;
	case AGENT_ARG_ID_LIST:
		if (!a->n_disk_ids)
			break;
		v = json_object_new_array();
		for (size_t i = 0; i < a->n_disk_ids; i++)
			json_object_array_add(v, json_object_new_string(a->disk_ids[i]));
		break;
	case AGENT_ARG_KMS_PARAMS:
		v = json_object_new_object();
		for (size_t i = 0; i < a->n_params; i++)
			json_object_object_add(v, a->params[i].name,
					       json_object_new_string(a->params[i].value));
		break;
	}
	if (v)
		json_object_object_add(o, p->name, v);
}

struct json_object *agent_request_encode(enum agent_op_id id,
					 const char *region,
					 const char *request_id,
					 const struct agent_args *args)
{
	const struct agent_op *op = agent_op_get(id);
	struct json_object *req, *o;

	if (!op)
		return NULL;
	req = json_object_new_object();
	o = json_object_new_object();
	json_object_object_add(req, "op", json_object_new_string(op->name));
	if (region)
		json_object_object_add(req, "region", json_object_new_string(region));
	if (request_id)
		json_object_object_add(req, "request_id",
				       json_object_new_string(request_id));
	for (const struct agent_arg_policy *p = op->args; args && p->name; p++)
		encode_arg(o, p, args);
	json_object_object_add(req, "args", o);
	return req;
}
