// SPDX-License-Identifier: GPL-2.0
/* Key version actions: create, list, describe, and the rotation policy. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "keys.h"
#include "store.h"
#include "versions.h"

#define ROTATION_MIN (7 * KMS_DAY)
#define ROTATION_MAX (730 * KMS_DAY)

static struct json_object *version_json(const struct key_rec *k,
					const char *vid, long long creation)
{
	struct json_object *v = json_object_new_object();

	json_object_object_add(v, "KeyId", json_object_new_string(k->key_id));
	json_object_object_add(v, "KeyVersionId", json_object_new_string(vid));
	json_object_object_add(v, "CreationDate", json_time((time_t)creation));
	return v;
}

static enum kms_err rotatable(struct kms_ctx *ctx, const struct key_rec *k)
{
	if (strcmp(k->origin, "Aliyun_KMS"))
		return kms_fail(ctx, E_UNSUPPORTED_OPERATION,
				"Keys with Origin %s cannot be rotated.",
				k->origin);
	return key_require_enabled(ctx, k);
}

enum kms_err act_create_key_version(struct kms_ctx *ctx,
					  struct json_object *out)
{
	struct key_rec k;
	char vid[KMS_ID_MAX + 1];
	enum kms_err err;

	err = key_find_param(ctx, "KeyId", &k);
	if (!err)
		err = rotatable(ctx, &k);
	if (err)
		return err;
	if (version_add(ctx, &k, ctx->now, NULL, vid) || key_update(ctx, &k))
		return E_INTERNAL;
	json_object_object_add(out, "KeyVersion",
			       version_json(&k, vid, ctx->now));
	return KMS_OK;
}

enum kms_err act_list_key_versions(struct kms_ctx *ctx,
					 struct json_object *out)
{
	struct key_rec k;
	sqlite3_stmt *st;
	long number, size, total = 0;
	struct json_object *arr;
	enum kms_err err;

	err = key_find_param(ctx, "KeyId", &k);
	if (!err)
		err = page_params(ctx, &number, &size);
	if (err)
		return err;
	if (store_count(ctx->emu, "SELECT COUNT(*) FROM versions"
			" WHERE region = ?1 AND key_id = ?2", k.region, k.key_id,
			&total))
		return E_INTERNAL;
	st = store_prepare(ctx->emu,
		"SELECT version_id, creation FROM versions"
		" WHERE region = ? AND key_id = ? ORDER BY creation, rowid"
		" LIMIT ? OFFSET ?");
	if (!st)
		return E_INTERNAL;
	sqlite3_bind_text(st, 1, k.region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k.key_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, size);
	sqlite3_bind_int64(st, 4, (number - 1) * size);
	arr = json_object_new_array();
	while (sqlite3_step(st) == SQLITE_ROW)
		json_object_array_add(arr, version_json(&k, store_text(st, 0),
				      sqlite3_column_int64(st, 1)));
	sqlite3_finalize(st);
	list_answer(out, "KeyVersions", "KeyVersion", arr, total, number,
		    size);
	return KMS_OK;
}

enum kms_err act_describe_key_version(struct kms_ctx *ctx,
					    struct json_object *out)
{
	const char *vid = req_param(ctx->req, "KeyVersionId");
	struct key_rec k;
	sqlite3_stmt *st;
	enum kms_err err;
	int rc;

	err = key_find_param(ctx, "KeyId", &k);
	if (err)
		return err;
	if (!vid || !*vid)
		return kms_missing(ctx, "KeyVersionId");
	st = store_prepare(ctx->emu, "SELECT creation FROM versions"
			   " WHERE region = ? AND key_id = ? AND version_id = ?");
	if (!st)
		return E_INTERNAL;
	sqlite3_bind_text(st, 1, k.region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k.key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, vid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		json_object_object_add(out, "KeyVersion",
			version_json(&k, vid, sqlite3_column_int64(st, 0)));
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return kms_fail(ctx, E_RESOURCE_NOT_FOUND,
				"The key version %.64s is not found.", vid);
	return rc == SQLITE_ROW ? KMS_OK : E_INTERNAL;
}

/* "604800s", "7d", "168h", "10080m" or plain seconds. */
static int parse_interval(const char *s, long *out)
{
	char num[32];
	size_t len = strlen(s);
	long mult = 1, v;

	if (!len || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len + 1);
	switch (num[len - 1]) {
	case 'd':
		mult = KMS_DAY;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'm':
		mult = 60;
		break;
	case 's':
		break;
	default:
		len++;
	}
	num[len - 1] = '\0';
	if (parse_long(num, 1, ROTATION_MAX, &v))
		return -EINVAL;
	*out = v * mult;
	return *out >= ROTATION_MIN && *out <= ROTATION_MAX ? 0 : -EINVAL;
}

enum kms_err rotation_policy_apply(struct kms_ctx *ctx, struct key_rec *k,
				   const char *enable, const char *interval)
{
	enum kms_err err;
	long secs = 0;

	if (!enable)
		return kms_missing(ctx, "EnableAutomaticRotation");
	if (strcmp(enable, "true") && strcmp(enable, "false"))
		return kms_invalid(ctx, "EnableAutomaticRotation");
	if (!strcmp(enable, "false")) {
		k->rotation_enabled = 0;
		return KMS_OK;
	}
	if (!interval)
		return kms_missing(ctx, "RotationInterval");
	if (parse_interval(interval, &secs))
		return kms_fail(ctx, E_INVALID_PARAMETER,
				"RotationInterval must be between 7 and 730 days.");
	err = rotatable(ctx, k);
	if (err)
		return err;
	k->rotation_enabled = 1;
	k->rotation_interval = secs;
	/* The schedule counts from the newest version, or from now. */
	if (k->last_rotation + secs <= ctx->now)
		k->last_rotation = ctx->now;
	return KMS_OK;
}

enum kms_err act_update_rotation_policy(struct kms_ctx *ctx,
					struct json_object *out)
{
	struct key_rec k;
	enum kms_err err;

	err = key_find_param(ctx, "KeyId", &k);
	if (!err)
		err = rotation_policy_apply(ctx, &k,
			req_param(ctx->req, "EnableAutomaticRotation"),
			req_param(ctx->req, "RotationInterval"));
	if (err)
		return err;
	return key_update(ctx, &k) ? E_INTERNAL : KMS_OK;
}
