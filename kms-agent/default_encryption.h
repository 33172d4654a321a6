/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Encryption by default, per region, as ECS has it
 * (EnableDiskEncryptionByDefault, ModifyDiskDefaultKMSKeyId, ...): the
 * settings live in the catalog (catalog_defaults); create-disk asks here.
 */
#ifndef ECSENC_DEFAULT_ENCRYPTION_H
#define ECSENC_DEFAULT_ENCRYPTION_H

#include <stdbool.h>

#include "core.h"

#define DEFAULT_KEY_MAX	128

/*
 * Make @req what the region's settings ask: encrypted, under the default
 * key (copied into @key_buf, DEFAULT_KEY_MAX bytes) or the service key; or
 * refuse a disk that would not be encrypted.  @copy_source: the disk,
 * made from an unencrypted snapshot, is only read by the copy that
 * encrypts that snapshot (copy-snapshot --encrypted), and is let be.
 * @by_default: the settings decided the encryption or the key.
 */
int default_encryption_apply(struct op_ctx *ctx, bool unencrypted,
			     bool copy_source,
			     struct core_new_disk *req, char *key_buf,
			     int *by_default);

/* A create that the settings shaped failed with @r: say so in the error. */
int default_encryption_failed(struct op_ctx *ctx, int r,
			      const struct core_new_disk *req);

#endif
