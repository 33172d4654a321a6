// SPDX-License-Identifier: GPL-2.0
/* Aliases: "alias/<name>" pointing at a key of the same region. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "keys.h"
#include "store.h"

#define ALIAS_MAX 255
#define RESERVED_PREFIX "alias/acs/"

static enum kms_err alias_param(struct kms_ctx *ctx, const char **out)
{
	const char *a = req_param(ctx->req, "AliasName");
	size_t i, len;

	if (!a || !*a)
		return kms_missing(ctx, "AliasName");
	len = strlen(a);
	if (strncmp(a, "alias/", 6) || len <= 6 || len > ALIAS_MAX)
		return kms_invalid(ctx, "AliasName");
	for (i = 6; i < len; i++) {
		char c = a[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '/' || c == '_' ||
		      c == '-' || c == ':'))
			return kms_invalid(ctx, "AliasName");
	}
	if (!strncmp(a, RESERVED_PREFIX, strlen(RESERVED_PREFIX)))
		return kms_fail(ctx, E_NO_PERMISSION,
				"Aliases under %s are reserved for cloud services.",
				RESERVED_PREFIX);
	*out = a;
	return KMS_OK;
}

/* The target key of CreateAlias/UpdateAlias: never the service key. */
static enum kms_err alias_target_key(struct kms_ctx *ctx, struct key_rec *k)
{
	enum kms_err err = key_find_param(ctx, "KeyId", k);

	if (!err && k->is_service)
		err = kms_fail(ctx, E_NO_PERMISSION,
			       "The service key cannot be given other aliases.");
	return err;
}

/* 1 when @alias exists in the region, 0 when not, -EIO. */
static int alias_exists(struct kms_ctx *ctx, const char *alias)
{
	sqlite3_stmt *st = store_prepare(ctx->emu,
		"SELECT 1 FROM aliases WHERE region = ? AND alias = ?");
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, ctx->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, alias, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -EIO;
}

/* Runs one statement with (?1 region, ?2 alias, ?3 key id). */
static enum kms_err alias_write(struct kms_ctx *ctx, const char *sql,
				const char *alias, const char *key_id)
{
	sqlite3_stmt *st = store_prepare(ctx->emu, sql);
	int ret;

	if (!st)
		return E_INTERNAL;
	sqlite3_bind_text(st, 1, ctx->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, alias, -1, SQLITE_STATIC);
	if (key_id)
		sqlite3_bind_text(st, 3, key_id, -1, SQLITE_STATIC);
	ret = store_step_done(ctx->emu, st);
	sqlite3_finalize(st);
	return ret ? E_INTERNAL : KMS_OK;
}

/* CreateAlias (@create) or UpdateAlias. */
static enum kms_err alias_set(struct kms_ctx *ctx, int create)
{
	const char *alias;
	struct key_rec k;
	enum kms_err err;
	int exists;

	err = alias_param(ctx, &alias);
	if (!err)
		err = alias_target_key(ctx, &k);
	if (err)
		return err;
	exists = alias_exists(ctx, alias);
	if (exists < 0)
		return E_INTERNAL;
	if (create && exists)
		return kms_fail(ctx, E_ALIAS_EXISTS,
				"The alias %s already exists.", alias);
	if (!create && !exists)
		return kms_fail(ctx, E_ALIAS_NOT_FOUND,
				"The alias %s is not found.", alias);
	return alias_write(ctx, create ?
		"INSERT INTO aliases (region, alias, key_id) VALUES (?1, ?2, ?3)" :
		"UPDATE aliases SET key_id = ?3 WHERE region = ?1 AND alias = ?2",
		alias, k.key_id);
}

enum kms_err act_create_alias(struct kms_ctx *ctx, struct json_object *out)
{
	return alias_set(ctx, 1);
}

enum kms_err act_update_alias(struct kms_ctx *ctx, struct json_object *out)
{
	return alias_set(ctx, 0);
}

enum kms_err act_delete_alias(struct kms_ctx *ctx, struct json_object *out)
{
	const char *alias;
	enum kms_err err;
	int exists;

	err = alias_param(ctx, &alias);
	if (err)
		return err;
	exists = alias_exists(ctx, alias);
	if (exists < 0)
		return E_INTERNAL;
	if (!exists)
		return kms_fail(ctx, E_ALIAS_NOT_FOUND,
				"The alias %s is not found.", alias);
	return alias_write(ctx,
		"DELETE FROM aliases WHERE region = ?1 AND alias = ?2",
		alias, NULL);
}

/* One page of aliases of the region, or of one key when @key_id. */
static enum kms_err list(struct kms_ctx *ctx, struct json_object *out,
			 const char *key_id)
{
	long number, size, total = 0;
	struct json_object *arr;
	sqlite3_stmt *st;
	enum kms_err err;
	char arn[512];

	err = page_params(ctx, &number, &size);
	if (err)
		return err;
	if (store_count(ctx->emu, "SELECT COUNT(*) FROM aliases"
			" WHERE region = ?1 AND (?2 IS NULL OR key_id = ?2)",
			ctx->region, key_id, &total))
		return E_INTERNAL;
	st = store_prepare(ctx->emu,
		"SELECT alias, key_id FROM aliases"
		" WHERE region = ?1 AND (?2 IS NULL OR key_id = ?2)"
		" ORDER BY alias LIMIT ?3 OFFSET ?4");
	if (!st)
		return E_INTERNAL;
	sqlite3_bind_text(st, 1, ctx->region, -1, SQLITE_STATIC);
	if (key_id)
		sqlite3_bind_text(st, 2, key_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, size);
	sqlite3_bind_int64(st, 4, (number - 1) * size);
	arr = json_object_new_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct json_object *o = json_object_new_object();

		snprintf(arn, sizeof(arn), "acs:kms:%s:%s:%s", ctx->region,
			 KMS_ACCOUNT_ID, store_text(st, 0));
		json_object_object_add(o, "AliasName",
				       json_object_new_string(store_text(st, 0)));
		json_object_object_add(o, "AliasArn", json_object_new_string(arn));
		json_object_object_add(o, "KeyId",
				       json_object_new_string(store_text(st, 1)));
		json_object_array_add(arr, o);
	}
	sqlite3_finalize(st);
	list_answer(out, "Aliases", "Alias", arr, total, number, size);
	return KMS_OK;
}

enum kms_err act_list_aliases(struct kms_ctx *ctx, struct json_object *out)
{
	return list(ctx, out, NULL);
}

enum kms_err act_list_aliases_by_key_id(struct kms_ctx *ctx,
					struct json_object *out)
{
	struct key_rec k;
	enum kms_err err = key_find_param(ctx, "KeyId", &k);

	return err ? err : list(ctx, out, k.key_id);
}
