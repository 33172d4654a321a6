/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Key versions: the material of each, wrapped by the root key, and the
 * rotations that add them.  Nothing here looks a key up; callers pass the
 * key they hold, and store it when a version changed it.
 */
#ifndef KMS_EMU_VERSIONS_H
#define KMS_EMU_VERSIONS_H

#include "emulator.h"

struct key_rec;

/* New primary version created at @when with @material (NULL: random). */
int version_add(struct kms_ctx *ctx, struct key_rec *k, long long when,
		const unsigned char *material, char *vid_out);
/* The version's material; E_PENDING_IMPORT when it was deleted. */
enum kms_err version_material(struct kms_ctx *ctx, const struct key_rec *k,
			      const char *vid, unsigned char *out);
/*
 * Store imported material as the key's one version (EXTERNAL keys);
 * -EEXIST when it differs from the material imported before.
 */
int version_import(struct kms_ctx *ctx, struct key_rec *k,
		   const unsigned char *material);
/* Apply due automatic rotations; 1 if any happened. */
int versions_rotate_due(struct kms_ctx *ctx, struct key_rec *k);

/* version_actions.c: validate and set a rotation policy on @k (not stored). */
enum kms_err rotation_policy_apply(struct kms_ctx *ctx, struct key_rec *k,
				   const char *enable, const char *interval);

#endif
