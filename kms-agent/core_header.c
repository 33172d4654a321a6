// SPDX-License-Identifier: GPL-2.0
/*
 * The store layer of the core (core_internal.h): a disk's or snapshot's
 * header, read and checked from its store, written into a new one, and
 * the catalog row it gives.  Below it: the backend, the catalog, the KMS.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent_kms.h"
#include "core_internal.h"
#include "log.h"

static bool is_id(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) || !s[n])
		return false;
	for (s += n; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static bool is_token(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

bool core_id_ok(const char *id, enum catalog_kind kind)
{
	return is_id(id, kind == CATALOG_DISK ? "d-" : "s-");
}

/*
 * A header with a good checksum can still name things the agent must not
 * pass on: its fields go into a dm table line, a keyring description and
 * KMS requests.  Accept only what this agent writes.
 */
static const char *header_refusal(const struct disk_header *h)
{
	bool encrypted = h->flags & DISK_HEADER_F_ENCRYPTED;

	if (!is_id(h->object_id, h->flags & DISK_HEADER_F_SNAPSHOT ? "s-" : "d-"))
		return "object id";
	if (h->source_id[0] && !is_id(h->source_id, "d-") &&
	    !is_id(h->source_id, "s-"))
		return "source id";
	if (!is_id(h->lineage_id, "l-"))
		return "lineage id";
	if (!agent_region_valid(h->region) || !is_token(h->category, "_"))
		return "region or category";
	if (strcmp(h->cipher, encrypted ? "aes-xts-plain64" : "none"))
		return "cipher";
	/* disk_header_decode() checked the sector size and offset's alignment. */
	if (h->data_offset > (1ull << 30))
		return "data offset";
	if (h->data_size < AGENT_DISK_SIZE_MIN || h->data_size > AGENT_DISK_SIZE_MAX ||
	    h->data_size % AGENT_DISK_SIZE_ALIGN)
		return "data size";
	if (encrypted && (!is_token(h->kms_key_id, "-_/:.") ||
			  !is_token(h->wrapped_key, "+/=")))
		return "KMS key id or wrapped key";
	return NULL;
}

void core_ref_of(const struct catalog_object *o, struct backend_ref *ref)
{
	ref->region = o->region;
	ref->id = o->id;
}

int core_read_header(struct op_ctx *ctx, const struct catalog_object *o,
		     struct disk_header *h)
{
	struct backend_ref ref;
	const char *refused;
	int r;

	core_ref_of(o, &ref);
	r = core_backend(ctx)->read_header(&ref, h, NULL, 0);
	if (r == -EBADMSG)
		return op_fail_code(ctx, r, ECS_ERR_HEADER_DAMAGED,
				    "%s: both header copies of %s are damaged",
			       o->id, o->path);
	if (r == -ENOENT)
		return op_fail_code(ctx, r, ECS_ERR_STORE_MISSING,
				    "%s: its store %s is gone (removed outside the agent?)",
			       o->id, o->path);
	if (r < 0)
		return op_fail(ctx, r, "%s: cannot read %s: %s", o->id, o->path,
			       BACKEND_STRERROR(core_backend(ctx), r));
	refused = header_refusal(h);
	if (refused)
		return op_fail_code(ctx, -EPROTO, ECS_ERR_HEADER_DAMAGED,
				    "%s: %s refused: its header has a bad %s",
			       o->id, o->path, refused);
	if (strcmp(h->object_id, o->id))
		return op_fail_code(ctx, -EBADMSG, ECS_ERR_HEADER_DAMAGED,
				    "%s holds %s, not %s", o->path,
			       h->object_id, o->id);
	return 0;
}

/* The catalog row of a store, from its header. */
void core_row_from_header(const struct backend_ops *be,
			    struct catalog_object *o,
			    const struct disk_header *h)
{
	struct backend_ref ref = { .region = h->region, .id = h->object_id };

	memset(o, 0, sizeof(*o));
	o->kind = h->flags & DISK_HEADER_F_SNAPSHOT ? CATALOG_SNAPSHOT :
						      CATALOG_DISK;
	snprintf(o->id, sizeof(o->id), "%s", h->object_id);
	snprintf(o->region, sizeof(o->region), "%s", h->region);
	snprintf(o->category, sizeof(o->category), "%s", h->category);
	o->size = h->data_size;
	o->encrypted = !!(h->flags & DISK_HEADER_F_ENCRYPTED);
	snprintf(o->kms_key_id, sizeof(o->kms_key_id), "%s", h->kms_key_id);
	snprintf(o->lineage_id, sizeof(o->lineage_id), "%s", h->lineage_id);
	snprintf(o->source_id, sizeof(o->source_id), "%s", h->source_id);
	snprintf(o->kms_key_version, sizeof(o->kms_key_version), "%s",
		 h->kms_key_version);
	be->locate(&ref, o->path, sizeof(o->path));
	o->created = h->created;
}

void core_header_init(struct disk_header *h, const char *region,
			const char *category, uint64_t size)
{
	memset(h, 0, sizeof(*h));
	h->sector_size = 512;
	h->data_offset = DISK_HEADER_DATA_OFFSET;
	h->data_size = size;
	h->created = (uint64_t)time(NULL);
	snprintf(h->region, sizeof(h->region), "%s", region);
	snprintf(h->category, sizeof(h->category), "%s", category);
	snprintf(h->cipher, sizeof(h->cipher), "none");
}

/*
 * Make @dst continue @src's lineage: same data key (wrapped), KMS key,
 * encryption context, cipher and sector size.
 */
void core_header_inherit_key(struct disk_header *dst,
			       const struct disk_header *src)
{
	dst->flags = src->flags & DISK_HEADER_F_ENCRYPTED;
	dst->sector_size = src->sector_size;
	memcpy(dst->lineage_id, src->lineage_id, sizeof(dst->lineage_id));
	memcpy(dst->cipher, src->cipher, sizeof(dst->cipher));
	memcpy(dst->kms_key_id, src->kms_key_id, sizeof(dst->kms_key_id));
	memcpy(dst->encryption_context, src->encryption_context,
	       sizeof(dst->encryption_context));
	memcpy(dst->wrapped_key, src->wrapped_key, sizeof(dst->wrapped_key));
	memcpy(dst->kms_key_version, src->kms_key_version,
	       sizeof(dst->kms_key_version));
}

/* Give @h a fresh lineage and, when encrypted, a new wrapped data key. */
int core_header_new_key(struct op_ctx *ctx, struct disk_header *h,
			  const char *kms_key_id)
{
	char cmk[sizeof(h->kms_key_id)];
	int r;

	r = ecs_new_id("l", h->lineage_id, sizeof(h->lineage_id));
	if (r < 0)
		return op_fail(ctx, r, "no randomness for a lineage id");
	if (!(h->flags & DISK_HEADER_F_ENCRYPTED))
		return 0;
	snprintf(cmk, sizeof(cmk), "%s", kms_key_id);
	ctx->object_id = h->object_id;
	snprintf(h->cipher, sizeof(h->cipher), "aes-xts-plain64");
	agent_kms_context(h->lineage_id, h->region, h->encryption_context,
			sizeof(h->encryption_context));
	return agent_kms_new_data_key(ctx, cmk, h->encryption_context,
				    h->wrapped_key, sizeof(h->wrapped_key),
				    h->kms_key_id, sizeof(h->kms_key_id),
				    h->kms_key_version, sizeof(h->kms_key_version));
}

