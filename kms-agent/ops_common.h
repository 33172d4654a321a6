/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the op handlers. */
#ifndef ECSENC_OPS_COMMON_H
#define ECSENC_OPS_COMMON_H

#include "agent.h"
#include "catalog.h"
#include "disk_header.h"

/* The dm device name of a disk: "ecsenc-<disk id>". */
void disk_dm_name(const char *disk_id, char *buf, size_t len);

/* Look up a disk / snapshot of the request's region, or fail in words. */
int get_disk(struct op_ctx *ctx, const char *id, struct catalog_object *o);
int get_snapshot(struct op_ctx *ctx, const char *id, struct catalog_object *o);

/* Read a store's header and check it names @o. */
int read_object_header(struct op_ctx *ctx, const struct catalog_object *o,
		       struct disk_header *h);

/* Catalog row from a header. */
void object_from_header(struct catalog_object *o, const struct disk_header *h,
			const char *path);

/*
 * Record the store just built at @path (described by @h) in the catalog
 * and describe it in @result; on failure the store is removed again.
 */
int record_new_object(struct op_ctx *ctx, const struct disk_header *h,
		      const char *path, struct json_object **result);

/*
 * Remove @o's store and catalog row, and answer {"<id_key>": id} in
 * @result.
 */
int delete_object(struct op_ctx *ctx, const struct catalog_object *o,
		  const char *id_key, struct json_object **result);

/* Catalog walker that appends each object's description to a JSON array. */
int describe_into_array(const struct catalog_object *o, void *array);

/* ECS-style description of a disk or snapshot. */
struct json_object *object_to_json(const struct catalog_object *o);

/* 0 if @category may be encrypted, else fail in words. */
int check_category(struct op_ctx *ctx, const char *category, int encrypted);

/*
 * Make @dst continue @src's lineage: same data key (wrapped), KMS key,
 * encryption context, cipher and sector size.
 */
void header_inherit_key(struct disk_header *dst,
			const struct disk_header *src);

/* Give @h a fresh lineage and, when encrypted, a new wrapped data key. */
int header_new_key(struct op_ctx *ctx, struct disk_header *h,
		   const char *kms_key_id);

/* Bring up /dev/mapper/ecsenc-<id> for disk @o; its path in @dev. */
int attach_one(struct op_ctx *ctx, const struct catalog_object *o,
	       char *dev, size_t dev_len);
#endif
