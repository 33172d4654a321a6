// SPDX-License-Identifier: GPL-2.0
/* Key versions: material, manual and automatic rotation. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "keys.h"
#include "kms_sign.h"
#include "log.h"
#include "rootkey.h"
#include "store.h"

#define DAY (24 * 3600L)
#define ROTATION_MIN (7 * DAY)
#define ROTATION_MAX (730 * DAY)
#define ROTATIONS_PER_LOOKUP_MAX 1024

static void material_aad(const struct key_rec *k, const char *vid, char *aad,
			 size_t cap)
{
	snprintf(aad, cap, "material:%s/%s/%s", k->region, k->key_id, vid);
}

int version_add(struct kms_ctx *ctx, struct key_rec *k, long long when,
		const unsigned char *material, char *vid_out)
{
	unsigned char buf[KMS_MATERIAL_LEN], wrapped[KMS_MATERIAL_LEN + ROOTKEY_OVERHEAD];
	char aad[256], vid[KMS_ID_MAX + 1];
	sqlite3_stmt *st = NULL;
	int ret = -EIO;

	if (kms_uuid(vid))
		return -EIO;
	if (material)
		memcpy(buf, material, sizeof(buf));
	else if (RAND_priv_bytes(buf, sizeof(buf)) != 1)
		goto out;
	material_aad(k, vid, aad, sizeof(aad));
	ret = rootkey_wrap(ctx->emu, aad, buf, sizeof(buf), wrapped);
	if (ret)
		goto out;
	st = store_prepare(ctx->emu,
		"INSERT INTO versions (region, key_id, version_id, creation, material)"
		" VALUES (?, ?, ?, ?, ?)");
	if (!st) {
		ret = -EIO;
		goto out;
	}
	sqlite3_bind_text(st, 1, k->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, vid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, when);
	sqlite3_bind_blob(st, 5, wrapped, sizeof(wrapped), SQLITE_STATIC);
	ret = store_step_done(ctx->emu, st);
	if (!ret) {
		snprintf(k->primary_version, sizeof(k->primary_version), "%s",
			 vid);
		snprintf(vid_out, KMS_ID_MAX + 1, "%s", vid);
		k->last_rotation = when;
	}
out:
	sqlite3_finalize(st);
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

enum kms_err version_material(struct kms_ctx *ctx, const struct key_rec *k,
			      const char *vid, unsigned char *out)
{
	sqlite3_stmt *st = store_prepare(ctx->emu,
		"SELECT material FROM versions"
		" WHERE region = ? AND key_id = ? AND version_id = ?");
	enum kms_err err = KMS_OK;
	char aad[256];
	int rc;

	if (!st)
		return E_INTERNAL;
	sqlite3_bind_text(st, 1, k->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, vid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		err = kms_fail(ctx, E_INVALID_CIPHERTEXT,
			       "The key version %s of key %s does not exist.",
			       vid, k->key_id);
	} else if (rc != SQLITE_ROW) {
		err = E_INTERNAL;
	} else if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
		err = E_PENDING_IMPORT;
	} else if (sqlite3_column_bytes(st, 0) !=
		   KMS_MATERIAL_LEN + ROOTKEY_OVERHEAD) {
		err = E_INTERNAL;
	} else {
		material_aad(k, vid, aad, sizeof(aad));
		if (rootkey_unwrap(ctx->emu, aad, sqlite3_column_blob(st, 0),
				   KMS_MATERIAL_LEN + ROOTKEY_OVERHEAD, out)) {
			log_err("key %s version %s: material does not unwrap with the root key",
				k->key_id, vid);
			err = E_INTERNAL;
		}
	}
	sqlite3_finalize(st);
	return err;
}

int versions_rotate_due(struct kms_ctx *ctx, struct key_rec *k)
{
	char vid[KMS_ID_MAX + 1];
	int n = 0, ret;

	if (!k->rotation_enabled || k->rotation_interval <= 0 ||
	    strcmp(k->state, "Enabled"))
		return 0;
	while (k->last_rotation + k->rotation_interval <= ctx->now &&
	       n < ROTATIONS_PER_LOOKUP_MAX) {
		ret = version_add(ctx, k, k->last_rotation + k->rotation_interval,
				  NULL, vid);
		if (ret)
			return ret;
		log_info("key %s/%s rotated to version %s", k->region,
			 k->key_id, vid);
		n++;
	}
	return n > 0;
}

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
		mult = DAY;
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

static void material_digest(const struct kms_ctx *ctx,
			    const unsigned char *material, unsigned char *out)
{
	unsigned int len = 32;

	HMAC(EVP_sha256(), ctx->emu->root_key, KMS_ROOT_KEY_LEN, material,
	     KMS_MATERIAL_LEN, out, &len);
}

int version_import(struct kms_ctx *ctx, struct key_rec *k,
		   const unsigned char *material)
{
	unsigned char digest[32], wrapped[KMS_MATERIAL_LEN + ROOTKEY_OVERHEAD];
	char vid[KMS_ID_MAX + 1] = "", aad[256];
	sqlite3_stmt *st;
	int rc, ret, same = 0;

	material_digest(ctx, material, digest);
	st = store_prepare(ctx->emu, "SELECT version_id, digest FROM versions"
			   " WHERE region = ? AND key_id = ? LIMIT 1");
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, k->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->key_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(vid, sizeof(vid), "%s", store_text(st, 0));
		same = sqlite3_column_bytes(st, 1) == 32 &&
		       !CRYPTO_memcmp(sqlite3_column_blob(st, 1), digest, 32);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -EIO;
	if (rc == SQLITE_ROW && !same)
		return -EEXIST;
	if (rc == SQLITE_DONE) {
		ret = version_add(ctx, k, ctx->now, material, vid);
		if (ret)
			return ret;
	} else {
		material_aad(k, vid, aad, sizeof(aad));
		ret = rootkey_wrap(ctx->emu, aad, material, KMS_MATERIAL_LEN,
				   wrapped);
		if (ret)
			return ret;
		snprintf(k->primary_version, sizeof(k->primary_version), "%s",
			 vid);
	}
	st = store_prepare(ctx->emu, rc == SQLITE_DONE ?
		"UPDATE versions SET digest = ?4"
		" WHERE region = ?1 AND key_id = ?2 AND version_id = ?3" :
		"UPDATE versions SET digest = ?4, material = ?5"
		" WHERE region = ?1 AND key_id = ?2 AND version_id = ?3");
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, k->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, vid, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, digest, sizeof(digest), SQLITE_STATIC);
	if (rc != SQLITE_DONE)
		sqlite3_bind_blob(st, 5, wrapped, sizeof(wrapped), SQLITE_STATIC);
	ret = store_step_done(ctx->emu, st);
	sqlite3_finalize(st);
	return ret;
}
