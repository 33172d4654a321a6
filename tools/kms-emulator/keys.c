// SPDX-License-Identifier: GPL-2.0
/* The key model: rows of the keys table, lookup and time-driven changes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "kms_sign.h"
#include "log.h"
#include "store.h"
#include "versions.h"

#define KEY_COLUMNS \
	"region, key_id, description, key_spec, key_usage, origin," \
	" protection_level, state, prev_state, creator, is_service, creation," \
	" deletion_date, material_expire, rotation_enabled, rotation_interval," \
	" last_rotation, primary_version"

static const char *const key_state_names[] = {
	[KEY_ENABLED] = "Enabled",
	[KEY_DISABLED] = "Disabled",
	[KEY_PENDING_DELETION] = "PendingDeletion",
	[KEY_PENDING_IMPORT] = "PendingImport",
};

const char *key_state_name(enum key_state state)
{
	return key_state_names[state];
}

/* A stored state name; an empty prev_state (never scheduled) is Enabled. */
static int key_state_parse(const char *name, enum key_state *out)
{
	size_t i;

	if (!*name) {
		*out = KEY_ENABLED;
		return 0;
	}
	for (i = 0; i < sizeof(key_state_names) / sizeof(key_state_names[0]); i++) {
		if (!strcmp(name, key_state_names[i])) {
			*out = (enum key_state)i;
			return 0;
		}
	}
	return -EINVAL;
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	snprintf(dst, cap, "%s", store_text(st, col));
}

/* 0, or -EIO for a row whose state is not a key state. */
static int key_from_row(sqlite3_stmt *st, struct key_rec *k)
{
	copy_col(k->region, sizeof(k->region), st, 0);
	copy_col(k->key_id, sizeof(k->key_id), st, 1);
	copy_col(k->description, sizeof(k->description), st, 2);
	copy_col(k->key_spec, sizeof(k->key_spec), st, 3);
	copy_col(k->key_usage, sizeof(k->key_usage), st, 4);
	copy_col(k->origin, sizeof(k->origin), st, 5);
	copy_col(k->protection, sizeof(k->protection), st, 6);
	copy_col(k->creator, sizeof(k->creator), st, 9);
	k->is_service = sqlite3_column_int(st, 10);
	k->creation = sqlite3_column_int64(st, 11);
	k->deletion_date = sqlite3_column_int64(st, 12);
	k->material_expire = sqlite3_column_int64(st, 13);
	k->rotation_enabled = sqlite3_column_int(st, 14);
	k->rotation_interval = sqlite3_column_int64(st, 15);
	k->last_rotation = sqlite3_column_int64(st, 16);
	copy_col(k->primary_version, sizeof(k->primary_version), st, 17);
	if (key_state_parse(store_text(st, 7), &k->state) ||
	    key_state_parse(store_text(st, 8), &k->prev_state)) {
		log_err("key %s/%s: stored state \"%s\" (before: \"%s\") is not a key state",
			k->region, k->key_id, store_text(st, 7),
			store_text(st, 8));
		return -EIO;
	}
	return 0;
}

/* Binds every column in KEY_COLUMNS order, starting at parameter 1. */
static void key_bind(sqlite3_stmt *st, const struct key_rec *k)
{
	sqlite3_bind_text(st, 1, k->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->description, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, k->key_spec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, k->key_usage, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, k->origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, k->protection, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, key_state_name(k->state), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, k->state == KEY_PENDING_DELETION ?
			  key_state_name(k->prev_state) : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 10, k->creator, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 11, k->is_service);
	sqlite3_bind_int64(st, 12, k->creation);
	sqlite3_bind_int64(st, 13, k->deletion_date);
	sqlite3_bind_int64(st, 14, k->material_expire);
	sqlite3_bind_int(st, 15, k->rotation_enabled);
	sqlite3_bind_int64(st, 16, k->rotation_interval);
	sqlite3_bind_int64(st, 17, k->last_rotation);
	sqlite3_bind_text(st, 18, k->primary_version, -1, SQLITE_STATIC);
}

/* Insert the row, or update every column of it. */
int key_update(struct kms_ctx *ctx, const struct key_rec *k)
{
	sqlite3_stmt *st = store_prepare(ctx->emu,
		"INSERT INTO keys (" KEY_COLUMNS ") VALUES "
		"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (region, key_id)"
		" DO UPDATE SET description = excluded.description, "
		" key_spec = excluded.key_spec, key_usage = excluded.key_usage, "
		" origin = excluded.origin, "
		" protection_level = excluded.protection_level, "
		" state = excluded.state, prev_state = excluded.prev_state, "
		" creator = excluded.creator, is_service = excluded.is_service, "
		" creation = excluded.creation, "
		" deletion_date = excluded.deletion_date, "
		" material_expire = excluded.material_expire, "
		" rotation_enabled = excluded.rotation_enabled, "
		" rotation_interval = excluded.rotation_interval, "
		" last_rotation = excluded.last_rotation, "
		" primary_version = excluded.primary_version");
	int ret;

	if (!st)
		return -EIO;
	key_bind(st, k);
	ret = store_step_done(ctx->emu, st);
	sqlite3_finalize(st);
	return ret;
}

void key_arn(const struct key_rec *k, char *out, size_t cap)
{
	snprintf(out, cap, "acs:kms:%s:%s:key/%s", k->region, KMS_ACCOUNT_ID,
		 k->key_id);
}

/* Crypto-shredding: the key, its versions and aliases are gone. */
static int key_destroy(struct kms_ctx *ctx, const struct key_rec *k)
{
	static const char *const sql[] = {
		"DELETE FROM versions WHERE region = ? AND key_id = ?",
		"DELETE FROM aliases WHERE region = ? AND key_id = ?",
		"DELETE FROM import_tokens WHERE region = ? AND key_id = ?",
		"DELETE FROM keys WHERE region = ? AND key_id = ?",
	};
	size_t i;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *st = store_prepare(ctx->emu, sql[i]);
		int ret;

		if (!st)
			return -EIO;
		sqlite3_bind_text(st, 1, k->region, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, k->key_id, -1, SQLITE_STATIC);
		ret = store_step_done(ctx->emu, st);
		sqlite3_finalize(st);
		if (ret)
			return ret;
	}
	log_info("key %s/%s destroyed (deletion window over)", k->region,
		 k->key_id);
	return 0;
}

int key_forget_material(struct kms_ctx *ctx, const struct key_rec *k)
{
	sqlite3_stmt *st = store_prepare(ctx->emu,
		"UPDATE versions SET material = NULL "
		"WHERE region = ? AND key_id = ?");
	int ret;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, k->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->key_id, -1, SQLITE_STATIC);
	ret = store_step_done(ctx->emu, st);
	sqlite3_finalize(st);
	return ret;
}

/*
 * Apply what the clock says happened.  Returns 0, 1 when the key no longer
 * exists, or -errno.
 */
static int key_refresh(struct kms_ctx *ctx, struct key_rec *k)
{
	int changed = 0, ret;

	if (k->state == KEY_PENDING_DELETION && k->deletion_date &&
	    k->deletion_date <= ctx->now) {
		ret = key_destroy(ctx, k);
		return ret ? ret : 1;
	}
	if (k->material_expire && k->material_expire <= ctx->now) {
		ret = key_forget_material(ctx, k);
		if (ret)
			return ret;
		k->material_expire = 0;
		if (k->state == KEY_PENDING_DELETION)
			k->prev_state = KEY_PENDING_IMPORT;
		else
			k->state = KEY_PENDING_IMPORT;
		changed = 1;
	}
	ret = versions_rotate_due(ctx, k);
	if (ret < 0)
		return ret;
	if (changed || ret)
		return key_update(ctx, k);
	return 0;
}

/* Load by key id in the request's region; 0, -ENOENT or -EIO. */
static int key_load(struct kms_ctx *ctx, const char *key_id,
		    struct key_rec *k)
{
	sqlite3_stmt *st = store_prepare(ctx->emu,
		"SELECT " KEY_COLUMNS " FROM keys WHERE region = ? AND key_id = ?");
	int rc, ret = 0;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, ctx->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ret = key_from_row(st, k);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return ret;
	return rc == SQLITE_DONE ? -ENOENT : -EIO;
}

/* The key id an alias points at; 0, -ENOENT or -EIO. */
static int alias_target(struct kms_ctx *ctx, const char *alias, char *key_id)
{
	sqlite3_stmt *st = store_prepare(ctx->emu,
		"SELECT key_id FROM aliases WHERE region = ? AND alias = ?");
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, ctx->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, alias, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(key_id, KMS_ID_MAX + 1, "%s", store_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
}

static int service_key_create(struct kms_ctx *ctx, struct key_rec *k)
{
	sqlite3_stmt *st;
	int ret;

	memset(k, 0, sizeof(*k));
	snprintf(k->region, sizeof(k->region), "%s", ctx->region);
	if (kms_uuid(k->key_id))
		return -EIO;
	snprintf(k->description, sizeof(k->description),
		 "Default service key that protects ECS disks in %s",
		 ctx->region);
	strcpy(k->key_spec, "Aliyun_AES_256");
	strcpy(k->key_usage, "ENCRYPT/DECRYPT");
	strcpy(k->origin, "Aliyun_KMS");
	strcpy(k->protection, "SOFTWARE");
	k->state = KEY_ENABLED;
	strcpy(k->creator, "Ecs");
	k->is_service = 1;
	k->creation = ctx->now;
	ret = version_add(ctx, k, ctx->now, NULL, k->primary_version);
	if (!ret)
		ret = key_update(ctx, k);
	if (ret)
		return ret;
	st = store_prepare(ctx->emu,
		"INSERT INTO aliases (region, alias, key_id) VALUES (?, ?, ?)");
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, ctx->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, KMS_SERVICE_KEY_ALIAS, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->key_id, -1, SQLITE_STATIC);
	ret = store_step_done(ctx->emu, st);
	sqlite3_finalize(st);
	if (!ret)
		log_info("created service key %s for %s in %s", k->key_id,
			 KMS_SERVICE_KEY_ALIAS, ctx->region);
	return ret;
}

/* "acs:kms:<region>:<account>:key/<id>" or ":alias/<name>" -> id/alias. */
static const char *strip_arn(struct kms_ctx *ctx, const char *ref,
			     int *wrong_region)
{
	char prefix[128];
	size_t n;

	*wrong_region = 0;
	if (strncmp(ref, "acs:kms:", 8))
		return ref;
	n = (size_t)snprintf(prefix, sizeof(prefix), "acs:kms:%s:", ctx->region);
	if (strncmp(ref, prefix, n)) {
		*wrong_region = 1;
		return ref;
	}
	ref = strchr(ref + n, ':');
	if (!ref)
		return "";
	ref++;
	return strncmp(ref, "key/", 4) ? ref : ref + 4;
}

enum kms_err key_find(struct kms_ctx *ctx, const char *ref, struct key_rec *k)
{
	char key_id[KMS_ID_MAX + 1];
	int ret, wrong_region;

	ref = strip_arn(ctx, ref, &wrong_region);
	kms_log_key(ctx, ref);
	if (wrong_region)
		return kms_fail(ctx, E_KEY_NOT_FOUND,
				"The specified Key is not found in region %s.",
				ctx->region);
	if (!strncmp(ref, "alias/", 6)) {
		ret = alias_target(ctx, ref, key_id);
		if (ret == -ENOENT && !strcmp(ref, KMS_SERVICE_KEY_ALIAS)) {
			ret = service_key_create(ctx, k);
			if (ret)
				return E_INTERNAL;
			kms_log_key(ctx, k->key_id);
			return KMS_OK;
		}
		if (ret == -ENOENT)
			return kms_fail(ctx, E_ALIAS_NOT_FOUND,
					"The specified Alias %.300s is not found.",
					ref);
		if (ret)
			return E_INTERNAL;
		ref = key_id;
	}
	if (strlen(ref) > KMS_ID_MAX)
		return kms_fail(ctx, E_KEY_NOT_FOUND,
				"The specified Key is not found.");
	ret = key_load(ctx, ref, k);
	if (!ret)
		ret = key_refresh(ctx, k);
	if (ret == -ENOENT || ret == 1)
		return kms_fail(ctx, E_KEY_NOT_FOUND,
				"The specified Key %s is not found.", ref);
	if (ret)
		return E_INTERNAL;
	kms_log_key(ctx, k->key_id);
	return KMS_OK;
}

enum kms_err key_find_param(struct kms_ctx *ctx, const char *param,
			    struct key_rec *k)
{
	const char *ref = req_param(ctx->req, param);

	if (!ref || !*ref)
		return kms_missing(ctx, param);
	return key_find(ctx, ref, k);
}

enum kms_err key_require_enabled(struct kms_ctx *ctx, const struct key_rec *k)
{
	static const enum kms_err refusal[] = {
		[KEY_ENABLED] = KMS_OK,
		[KEY_DISABLED] = E_DISABLED,
		[KEY_PENDING_DELETION] = E_PENDING_DELETION,
		[KEY_PENDING_IMPORT] = E_PENDING_IMPORT,
	};

	return refusal[k->state];
}

int key_count_customer(struct kms_ctx *ctx, long *count)
{
	return store_count(ctx->emu, "SELECT COUNT(*) FROM keys"
			   " WHERE region = ?1 AND is_service = 0",
			   ctx->region, NULL, count);
}

int keys_sweep(struct kms_ctx *ctx)
{
	sqlite3_stmt *st = store_prepare(ctx->emu,
		"SELECT " KEY_COLUMNS " FROM keys ORDER BY region, key_id");
	struct key_rec *all = NULL, *p;
	size_t n = 0, cap = 0, i;
	char region[KMS_REGION_MAX + 1];
	int rc, ret = 0;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			p = realloc(all, cap * sizeof(*all));
			if (!p) {
				ret = -ENOMEM;
				break;
			}
			all = p;
		}
		/* A damaged row is logged and fails its own lookups only. */
		if (!key_from_row(st, &all[n]))
			n++;
	}
	sqlite3_finalize(st);
	if (!ret && rc != SQLITE_DONE)
		ret = -EIO;
	memcpy(region, ctx->region, sizeof(region));
	for (i = 0; !ret && i < n; i++) {
		memcpy(ctx->region, all[i].region, sizeof(ctx->region));
		rc = key_refresh(ctx, &all[i]);
		if (rc < 0)
			ret = rc;
	}
	memcpy(ctx->region, region, sizeof(region));
	free(all);
	return ret;
}
