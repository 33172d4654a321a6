/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Customer master keys and their versions.  Time-driven changes (end of
 * a deletion window, expiry of imported material, automatic rotation) are
 * applied when a key is looked up, against the emulator's clock, so moving
 * the clock forward (AdvanceClock) has their effect on the next use.
 */
#ifndef KMS_EMU_KEYS_H
#define KMS_EMU_KEYS_H

#include "emulator.h"

#define KEY_DESCRIPTION_MAX 8192

struct key_rec {
	char region[KMS_REGION_MAX + 1];
	char key_id[KMS_ID_MAX + 1];
	char description[KEY_DESCRIPTION_MAX + 1];
	char key_spec[32];		/* Aliyun_AES_256 */
	char key_usage[32];		/* ENCRYPT/DECRYPT */
	char origin[32];		/* Aliyun_KMS or EXTERNAL */
	char protection[16];		/* SOFTWARE */
	char state[24];			/* Enabled, Disabled, PendingDeletion, PendingImport */
	char prev_state[24];		/* state to return to on CancelKeyDeletion */
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

/* versions.c */
/* New version created at @when with @material (NULL: random). */
int version_add(struct kms_ctx *ctx, struct key_rec *k, long long when,
		const unsigned char *material, char *vid_out);
/* The version's material; E_PENDING_IMPORT when it was deleted. */
enum kms_err version_material(struct kms_ctx *ctx, const struct key_rec *k,
			      const char *vid, unsigned char *out);
/* Validate and set a rotation policy on @k (not stored). */
enum kms_err rotation_policy_apply(struct kms_ctx *ctx, struct key_rec *k,
				   const char *enable, const char *interval);
/*
 * Store imported material as the key's one version (EXTERNAL keys);
 * -EEXIST when it differs from the material imported before.
 */
int version_import(struct kms_ctx *ctx, struct key_rec *k,
		   const unsigned char *material);
/* Apply due automatic rotations; 1 if any happened. */
int versions_rotate_due(struct kms_ctx *ctx, struct key_rec *k);

#endif
