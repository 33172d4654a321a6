/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KMS as the server may use it: DescribeKey, to refuse a KMSKeyId
 * that does not exist or is not enabled before any work is queued; and
 * ListKeys, DescribeKey and ListAliases, for the console's list of keys.
 * The server calls no KMS action that returns key material; a disk's data
 * key is made and unwrapped by the agent that holds the disk.
 */
#ifndef ECS_API_KMS_KEYS_H
#define ECS_API_KMS_KEYS_H

#include "ecs_api.h"

int kms_keys_open(const char *endpoint, const char *credentials_path,
		  struct kms_keys **out);
void kms_keys_close(struct kms_keys *k);

/*
 * ECS_ERR_NONE when @key_id is an enabled key of @region (or is the
 * service key, or no KMS is configured); else the refusal.
 */
enum ecs_err kms_keys_check(struct kms_keys *k, struct api_call *call,
			    const char *key_id, const char *region);

/*
 * The keys of @region: [{KeyId, KeyState, Origin, Description, Aliases}],
 * an empty list without a KMS; else the refusal, in @why.
 */
enum ecs_err kms_keys_list(struct kms_keys *k, const char *region,
			   struct json_object **out, char *why, size_t why_len);

#endif
