// SPDX-License-Identifier: GPL-2.0
/* Key lifecycle actions: create, describe, list, enable/disable, deletion. */
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "keys.h"
#include "kms_sign.h"
#include "store.h"
#include "versions.h"

static struct json_object *key_metadata(const struct key_rec *k)
{
	struct json_object *m = json_object_new_object();
	char arn[256];

	key_arn(k, arn, sizeof(arn));
	json_object_object_add(m, "KeyId", json_object_new_string(k->key_id));
	json_object_object_add(m, "Arn", json_object_new_string(arn));
	json_object_object_add(m, "Description",
			       json_object_new_string(k->description));
	json_object_object_add(m, "KeyState", json_object_new_string(
			       key_state_name(k->state)));
	json_object_object_add(m, "KeySpec", json_object_new_string(k->key_spec));
	json_object_object_add(m, "KeyUsage",
			       json_object_new_string(k->key_usage));
	json_object_object_add(m, "Origin", json_object_new_string(k->origin));
	json_object_object_add(m, "ProtectionLevel",
			       json_object_new_string(k->protection));
	json_object_object_add(m, "Creator", json_object_new_string(k->creator));
	json_object_object_add(m, "CreationDate", json_time((time_t)k->creation));
	json_object_object_add(m, "DeleteDate", k->deletion_date ?
			       json_time((time_t)k->deletion_date) :
			       json_object_new_string(""));
	json_object_object_add(m, "MaterialExpireTime", k->material_expire ?
			       json_time((time_t)k->material_expire) :
			       json_object_new_string(""));
	json_object_object_add(m, "PrimaryKeyVersion",
			       json_object_new_string(k->primary_version));
	json_object_object_add(m, "LastRotationDate", k->last_rotation ?
			       json_time((time_t)k->last_rotation) :
			       json_object_new_string(""));
	json_object_object_add(m, "AutomaticRotation", json_object_new_string(
			       k->rotation_enabled ? "Enabled" : "Disabled"));
	if (k->rotation_enabled) {
		char iv[32];

		snprintf(iv, sizeof(iv), "%llds", k->rotation_interval);
		json_object_object_add(m, "RotationInterval",
				       json_object_new_string(iv));
		json_object_object_add(m, "NextRotationDate", json_time(
			(time_t)(k->last_rotation + k->rotation_interval)));
	}
	json_object_object_add(m, "DeletionProtection",
			       json_object_new_string("Disabled"));
	json_object_object_add(m, "IsServiceKey",
			       json_object_new_boolean(k->is_service));
	return m;
}

/* Optional enumerated parameter; @allowed is NULL-terminated, [0] default. */
static enum kms_err param_enum(struct kms_ctx *ctx, const char *name,
			       const char *const *allowed, const char **out)
{
	const char *v = req_param(ctx->req, name);
	size_t i;

	if (!v) {
		*out = allowed[0];
		return KMS_OK;
	}
	for (i = 0; allowed[i]; i++) {
		if (!strcmp(v, allowed[i])) {
			*out = allowed[i];
			return KMS_OK;
		}
	}
	return kms_invalid(ctx, name);
}

static enum kms_err param_description(struct kms_ctx *ctx, const char *v,
				      struct key_rec *k)
{
	if (strlen(v) > KEY_DESCRIPTION_MAX)
		return kms_invalid(ctx, "Description");
	snprintf(k->description, sizeof(k->description), "%s", v);
	return KMS_OK;
}

enum kms_err act_create_key(struct kms_ctx *ctx, struct json_object *out)
{
	static const char *const specs[] = { "Aliyun_AES_256", NULL };
	static const char *const usages[] = { "ENCRYPT/DECRYPT", NULL };
	static const char *const origins[] = { "Aliyun_KMS", "EXTERNAL", NULL };
	static const char *const levels[] = { "SOFTWARE", "HSM", NULL };
	static const char *const bools[] = { "false", "true", NULL };
	const char *spec, *usage, *origin, *level, *rotate, *desc;
	struct key_rec k;
	enum kms_err err;
	long count;

	memset(&k, 0, sizeof(k));
	desc = req_param(ctx->req, "Description");
	err = param_enum(ctx, "KeySpec", specs, &spec);
	if (!err)
		err = param_enum(ctx, "KeyUsage", usages, &usage);
	if (!err)
		err = param_enum(ctx, "Origin", origins, &origin);
	if (!err)
		err = param_enum(ctx, "ProtectionLevel", levels, &level);
	if (!err)
		err = param_enum(ctx, "EnableAutomaticRotation", bools, &rotate);
	if (!err && desc)
		err = param_description(ctx, desc, &k);
	if (err)
		return err;
	if (!strcmp(rotate, "true") && !strcmp(origin, "EXTERNAL"))
		return kms_fail(ctx, E_UNSUPPORTED_OPERATION,
				"Keys with Origin EXTERNAL cannot be rotated.");
	if (key_count_customer(ctx, &count))
		return E_INTERNAL;
	if (count >= (long)ctx->emu->opt.max_keys)
		return kms_fail(ctx, E_LIMIT_EXCEEDED,
				"The number of keys in %s reached the quota of %u.",
				ctx->region, ctx->emu->opt.max_keys);

	snprintf(k.region, sizeof(k.region), "%s", ctx->region);
	if (kms_uuid(k.key_id))
		return E_INTERNAL;
	snprintf(k.key_spec, sizeof(k.key_spec), "%s", spec);
	snprintf(k.key_usage, sizeof(k.key_usage), "%s", usage);
	snprintf(k.origin, sizeof(k.origin), "%s", origin);
	snprintf(k.protection, sizeof(k.protection), "%s", level);
	snprintf(k.creator, sizeof(k.creator), "%s", ctx->access_key_id);
	k.creation = ctx->now;
	if (!strcmp(origin, "EXTERNAL")) {
		k.state = KEY_PENDING_IMPORT;
	} else {
		k.state = KEY_ENABLED;
		if (version_add(ctx, &k, ctx->now, NULL, k.primary_version))
			return E_INTERNAL;
		err = rotation_policy_apply(ctx, &k, rotate,
				req_param(ctx->req, "RotationInterval"));
		if (err)
			return err;
	}
	kms_log_key(ctx, k.key_id);
	if (key_update(ctx, &k))
		return E_INTERNAL;
	json_object_object_add(out, "KeyMetadata", key_metadata(&k));
	return KMS_OK;
}

enum kms_err act_describe_key(struct kms_ctx *ctx, struct json_object *out)
{
	struct key_rec k;
	enum kms_err err = key_find_param(ctx, "KeyId", &k);

	if (err)
		return err;
	json_object_object_add(out, "KeyMetadata", key_metadata(&k));
	return KMS_OK;
}

enum kms_err act_list_keys(struct kms_ctx *ctx, struct json_object *out)
{
	long number, size, total = 0;
	struct json_object *arr;
	sqlite3_stmt *st;
	enum kms_err err;
	char arn[256];

	err = page_params(ctx, &number, &size);
	if (err)
		return err;
	/* Apply deletions that are due before counting. */
	if (keys_sweep(ctx))
		return E_INTERNAL;
	if (store_count(ctx->emu, "SELECT COUNT(*) FROM keys WHERE region = ?1",
			ctx->region, NULL, &total))
		return E_INTERNAL;
	st = store_prepare(ctx->emu,
		"SELECT key_id FROM keys WHERE region = ?1"
		" ORDER BY creation, rowid LIMIT ?2 OFFSET ?3");
	if (!st)
		return E_INTERNAL;
	sqlite3_bind_text(st, 1, ctx->region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, size);
	sqlite3_bind_int64(st, 3, (number - 1) * size);
	arr = json_object_new_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct json_object *o = json_object_new_object();

		snprintf(arn, sizeof(arn), "acs:kms:%s:%s:key/%s", ctx->region,
			 KMS_ACCOUNT_ID, store_text(st, 0));
		json_object_object_add(o, "KeyId",
				       json_object_new_string(store_text(st, 0)));
		json_object_object_add(o, "KeyArn", json_object_new_string(arn));
		json_object_array_add(arr, o);
	}
	sqlite3_finalize(st);
	list_answer(out, "Keys", "Key", arr, total, number, size);
	return KMS_OK;
}

enum kms_err act_update_key_description(struct kms_ctx *ctx,
					struct json_object *out)
{
	const char *desc = req_param(ctx->req, "Description");
	struct key_rec k;
	enum kms_err err;

	err = key_find_param(ctx, "KeyId", &k);
	if (err)
		return err;
	if (!desc)
		return kms_missing(ctx, "Description");
	err = param_description(ctx, desc, &k);
	if (err)
		return err;
	return key_update(ctx, &k) ? E_INTERNAL : KMS_OK;
}

/* Rejected.* for a key that is PendingDeletion or PendingImport. */
static enum kms_err require_settled(const struct key_rec *k)
{
	if (k->state == KEY_PENDING_DELETION)
		return E_PENDING_DELETION;
	if (k->state == KEY_PENDING_IMPORT)
		return E_PENDING_IMPORT;
	return KMS_OK;
}

static enum kms_err set_enabled(struct kms_ctx *ctx, int enable)
{
	struct key_rec k;
	enum kms_err err;

	err = key_find_param(ctx, "KeyId", &k);
	if (err)
		return err;
	if (k.is_service && !enable)
		return kms_fail(ctx, E_NO_PERMISSION,
				"The service key %s cannot be disabled.",
				KMS_SERVICE_KEY_ALIAS);
	err = require_settled(&k);
	if (err)
		return err;
	k.state = enable ? KEY_ENABLED : KEY_DISABLED;
	return key_update(ctx, &k) ? E_INTERNAL : KMS_OK;
}

enum kms_err act_enable_key(struct kms_ctx *ctx, struct json_object *out)
{
	return set_enabled(ctx, 1);
}

enum kms_err act_disable_key(struct kms_ctx *ctx, struct json_object *out)
{
	return set_enabled(ctx, 0);
}

enum kms_err act_schedule_key_deletion(struct kms_ctx *ctx,
				       struct json_object *out)
{
	const char *days_s = req_param(ctx->req, "PendingWindowInDays");
	struct key_rec k;
	enum kms_err err;
	long days;

	err = key_find_param(ctx, "KeyId", &k);
	if (err)
		return err;
	if (k.is_service)
		return kms_fail(ctx, E_NO_PERMISSION,
				"The service key %s cannot be deleted.",
				KMS_SERVICE_KEY_ALIAS);
	if (!days_s)
		return kms_missing(ctx, "PendingWindowInDays");
	if (parse_long(days_s, 7, 366, &days))
		return kms_fail(ctx, E_INVALID_PARAMETER,
				"PendingWindowInDays must be between 7 and 366.");
	if (k.state == KEY_PENDING_DELETION)
		return E_PENDING_DELETION;
	k.prev_state = k.state;
	k.state = KEY_PENDING_DELETION;
	k.deletion_date = ctx->now + days * KMS_DAY;
	return key_update(ctx, &k) ? E_INTERNAL : KMS_OK;
}

enum kms_err act_cancel_key_deletion(struct kms_ctx *ctx,
				     struct json_object *out)
{
	struct key_rec k;
	enum kms_err err;

	err = key_find_param(ctx, "KeyId", &k);
	if (err)
		return err;
	if (k.state != KEY_PENDING_DELETION)
		return kms_fail(ctx, E_STATE_MODIFIED_FAILED,
				"The key is %s, not PendingDeletion.",
				key_state_name(k.state));
	k.state = k.prev_state;
	k.deletion_date = 0;
	return key_update(ctx, &k) ? E_INTERNAL : KMS_OK;
}
