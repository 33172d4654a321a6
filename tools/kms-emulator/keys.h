/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Customer master keys: their rows, states and lookup (versions.h holds
 * their versions).  Time-driven changes (end of a deletion window, expiry
 * of imported material, automatic rotation) are applied when a key is
 * looked up, against the emulator's clock, so moving the clock forward
 * (AdvanceClock) has their effect on the next use.
 */
#ifndef KMS_EMU_KEYS_H
#define KMS_EMU_KEYS_H

#include "emulator.h"

#define KEY_DESCRIPTION_MAX 8192

/* KeyState; key_state_name() gives the name KMS answers with. */
enum key_state {
	KEY_ENABLED,
	KEY_DISABLED,
	KEY_PENDING_DELETION,
	KEY_PENDING_IMPORT,
};

struct key_rec {
	char region[KMS_REGION_MAX + 1];
	char key_id[KMS_ID_MAX + 1];
	char description[KEY_DESCRIPTION_MAX + 1];
	char key_spec[32];		/* Aliyun_AES_256 */
	char key_usage[32];		/* ENCRYPT/DECRYPT */
	char origin[32];		/* Aliyun_KMS or EXTERNAL */
	char protection[16];		/* SOFTWARE */
	enum key_state state;
	enum key_state prev_state;	/* what CancelKeyDeletion restores */
	char creator[64];		/* AccessKeyId, or "Ecs" for the service key */
	char primary_version[KMS_ID_MAX + 1];
	long long creation;		/* emulator clock, seconds */
	long long deletion_date;	/* 0: not scheduled */
	long long material_expire;	/* 0: never (EXTERNAL only) */
	long long rotation_interval;	/* seconds; 0: no automatic rotation */
	long long last_rotation;	/* creation of the newest version */
	int is_service;			/* alias/acs/ecs */
	int rotation_enabled;
};

const char *key_state_name(enum key_state state);

/* @ref: key id, alias name or ARN.  Creates alias/acs/ecs on first use. */
enum kms_err key_find(struct kms_ctx *ctx, const char *ref,
		      struct key_rec *k);
/* key_find on parameter @param (MissingParameter when absent). */
enum kms_err key_find_param(struct kms_ctx *ctx, const char *param,
			    struct key_rec *k);
/* Rejected.* unless the key is Enabled. */
enum kms_err key_require_enabled(struct kms_ctx *ctx,
				 const struct key_rec *k);
int key_update(struct kms_ctx *ctx, const struct key_rec *k);
/* Drop the material of every version (EXTERNAL keys). */
int key_forget_material(struct kms_ctx *ctx, const struct key_rec *k);
/* Number of customer (non-service) keys of the region. */
int key_count_customer(struct kms_ctx *ctx, long *count);
/* Apply every pending time-driven change in every region. */
int keys_sweep(struct kms_ctx *ctx);
void key_arn(const struct key_rec *k, char *out, size_t cap);

#endif
