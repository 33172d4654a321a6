// SPDX-License-Identifier: GPL-2.0
/*
 * Encryption by default per region (default_encryption.h) and its six
 * operations, named as ECS names them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent_kms.h"
#include "catalog.h"
#include "default_encryption.h"
#include "log.h"

static int get(struct op_ctx *ctx, struct catalog_defaults *d)
{
	int r = catalog_get_defaults(ctx->agent->catalog, ctx->region, d);

	if (r == -ENODATA)
		return op_fail_code(ctx, r, ECS_ERR_DEFAULT_ENCRYPTION_UNKNOWN,
			"whether region %s encrypts new disks by default was lost with the agent's catalog (see its log); state it before creating disks there: ecsenc-ctl enable-disk-encryption-by-default, or disable-disk-encryption-by-default",
			ctx->region);
	return r < 0 ? op_fail(ctx, r, "catalog lookup of region %s's defaults failed",
			       ctx->region) : 0;
}

static int put(struct op_ctx *ctx, const struct catalog_defaults *d)
{
	int r = catalog_put_defaults(ctx->agent->catalog, ctx->region, d);

	return r < 0 ? op_fail(ctx, r, "catalog update of region %s's defaults failed",
			       ctx->region) : 0;
}

/* What every answer says: the region, whether it is on, which key. */
static struct json_object *status(const struct op_ctx *ctx,
				  const struct catalog_defaults *d)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "RegionId", json_object_new_string(ctx->region));
	json_object_object_add(o, "Encrypted",
			       json_object_new_boolean(d->encrypt_by_default));
	json_object_object_add(o, "KMSKeyId", json_object_new_string(
		d->kms_key_id[0] ? d->kms_key_id : KMS_SERVICE_KEY_ALIAS));
	return o;
}

int default_encryption_apply(struct op_ctx *ctx, bool unencrypted,
			     bool copy_source, struct core_new_disk *req, char *key_buf,
			     int *by_default)
{
	struct catalog_defaults d;
	struct core_object snap;
	int r;

	*by_default = 0;
	if (unencrypted && (req->encrypted || req->kms_key_id))
		return op_fail(ctx, -EINVAL,
			       "--unencrypted excludes --encrypted and --kms-key-id");
	if (copy_source && (!req->snapshot_id || req->encrypted ||
			    req->kms_key_id || unencrypted))
		return op_fail(ctx, -EINVAL,
			       "copy_source is a disk of a snapshot as it is: it takes snapshot_id and no encryption argument");
	r = get(ctx, &d);
	if (r < 0 || !d.encrypt_by_default)
		return r;
	if (unencrypted)
		return op_fail_code(ctx, -EPERM, ECS_ERR_NOT_MATCH_DEFAULT_ENCRYPTION,
			"encryption by default is enabled in region %s: every new disk is encrypted; to create an unencrypted disk, disable it first (ecsenc-ctl disable-disk-encryption-by-default)",
			ctx->region);
	if (req->snapshot_id) {
		r = core_get(ctx, CATALOG_SNAPSHOT, req->snapshot_id, &snap);
		if (r < 0)
			return r;
		if (!snap.row.encrypted && copy_source) {
			log_info("region %s encrypts new disks by default; a disk of unencrypted snapshot %s is made all the same, as the source of its encrypting copy",
				 ctx->region, snap.row.id);
			return 0;
		}
		if (!snap.row.encrypted)
			return op_fail_code(ctx, -EPERM, ECS_ERR_NOT_MATCH_DEFAULT_ENCRYPTION,
				"encryption by default is enabled in region %s and snapshot %s is not encrypted, so a disk made from it would not be; make an encrypted copy of its data first, or disable encryption by default",
				ctx->region, snap.row.id);
		return 0;	/* the disk keeps the snapshot's data key */
	}
	if (!req->encrypted)
		*by_default = 1;
	req->encrypted = 1;
	if (!req->kms_key_id) {
		snprintf(key_buf, DEFAULT_KEY_MAX, "%s",
			 d.kms_key_id[0] ? d.kms_key_id : KMS_SERVICE_KEY_ALIAS);
		req->kms_key_id = key_buf;
		*by_default = 1;
	}
	return 0;
}

int default_encryption_failed(struct op_ctx *ctx, int r,
			      const struct core_new_disk *req)
{
	char why[sizeof(ctx->error)];

	snprintf(why, sizeof(why), "%s", ctx->error);
	if (r == -EKEYREVOKED || r == -ENOKEY)
		return op_fail_code(ctx, r, ECS_ERR_KMS_KEY_UNUSABLE,
			"the default KMS key for new disks in region %s (%s) cannot be used: %s; or choose another (ecsenc-ctl modify-disk-default-kms-key-id KEY)",
			ctx->region, req->kms_key_id, why);
	return op_fail(ctx, r, "encryption by default is enabled in region %s: %s",
		       ctx->region, why);
}

/* Enabling or disabling states the setting, also where it was lost. */
static int set_enabled(struct op_ctx *ctx, int on, struct json_object **result)
{
	struct catalog_defaults d;
	int r = catalog_get_defaults(ctx->agent->catalog, ctx->region, &d);

	if (r < 0 && r != -ENODATA)
		return op_fail(ctx, r, "catalog lookup of region %s's defaults failed",
			       ctx->region);
	d.encrypt_by_default = on;
	r = put(ctx, &d);
	if (r == 0)
		*result = status(ctx, &d);
	return r;
}

int op_enable_encryption_by_default(struct op_ctx *ctx,
				    const struct agent_args *args,
				    struct json_object **result)
{
	return set_enabled(ctx, 1, result);
}

int op_disable_encryption_by_default(struct op_ctx *ctx,
				     const struct agent_args *args,
				     struct json_object **result)
{
	return set_enabled(ctx, 0, result);
}

static int describe(struct op_ctx *ctx, struct json_object **result)
{
	struct catalog_defaults d;
	int r = get(ctx, &d);

	if (r == 0)
		*result = status(ctx, &d);
	return r;
}

int op_describe_encryption_by_default(struct op_ctx *ctx,
				      const struct agent_args *args,
				      struct json_object **result)
{
	return describe(ctx, result);
}

int op_describe_default_kms_key(struct op_ctx *ctx,
				const struct agent_args *args,
				struct json_object **result)
{
	return describe(ctx, result);
}

int op_modify_default_kms_key(struct op_ctx *ctx, const struct agent_args *args,
			      struct json_object **result)
{
	struct catalog_defaults d;
	int r;

	if (strlen(args->kms_key_id) >= sizeof(d.kms_key_id))
		return op_fail(ctx, -ENAMETOOLONG, "KMS key id too long");
	/* A key of this region that can wrap a data key now. */
	r = agent_kms_check_key(ctx, args->kms_key_id);
	if (r == 0)
		r = get(ctx, &d);
	if (r < 0)
		return r;
	snprintf(d.kms_key_id, sizeof(d.kms_key_id), "%s", args->kms_key_id);
	r = put(ctx, &d);
	if (r == 0)
		*result = status(ctx, &d);
	return r;
}

int op_reset_default_kms_key(struct op_ctx *ctx, const struct agent_args *args,
			     struct json_object **result)
{
	struct catalog_defaults d;
	int r = get(ctx, &d);

	if (r < 0)
		return r;
	d.kms_key_id[0] = '\0';
	r = put(ctx, &d);
	if (r == 0)
		*result = status(ctx, &d);
	return r;
}
