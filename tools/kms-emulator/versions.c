// SPDX-License-Identifier: GPL-2.0
/* Key versions: their material, wrapped by the root key, and rotation. */
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
#include "versions.h"

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
	    k->state != KEY_ENABLED)
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
