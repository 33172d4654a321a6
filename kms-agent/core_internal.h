/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The core's layers, for the core's own files only (as dm-verity.h is for
 * dm-verity's): calls go one way, from the verbs down.
 *
 *   verbs         core.c, core_keys.c, core_start.c    (core.h)
 *     |
 *   attachment    core_device.c: is it attached, where; map a disk
 *     |
 *   store         core_header.c: a store's header and its catalog row
 *     |
 *   backend, catalog, KMS, kernel
 *
 * A layer calls the ones below it and never one above.
 */
#ifndef ECSENC_CORE_INTERNAL_H
#define ECSENC_CORE_INTERNAL_H

#include <stdbool.h>

#include "backend.h"
#include "core.h"
#include "ecs_format.h"

static inline const struct backend_ops *core_backend(const struct op_ctx *ctx)
{
	return ctx->agent->backend;
}

/* --- the store layer (core_header.c) --- */

/* Whether @id is an id of @kind ("d-…" or "s-…") as the agent makes them. */
bool core_id_ok(const char *id, enum catalog_kind kind);
/* The backend's reference of the store of @o. */
void core_ref_of(const struct catalog_object *o, struct backend_ref *ref);
/* Read @o's header, checked: it names @o, and every field is one the agent writes. */
int core_read_header(struct op_ctx *ctx, const struct catalog_object *o,
		     struct disk_header *h);
/* The catalog row of a store, from its header. */
void core_row_from_header(const struct backend_ops *be, struct catalog_object *o,
			  const struct disk_header *h);
/* A new header in @region; @size bytes of data (0: to be set). */
void core_header_init(struct disk_header *h, const char *region,
		      const char *category, uint64_t size);
/* @dst keeps @src's data key and lineage (a disk made from a snapshot). */
void core_header_inherit_key(struct disk_header *dst,
			     const struct disk_header *src);
/* Give @h a fresh lineage and, when encrypted, a new wrapped data key. */
int core_header_new_key(struct op_ctx *ctx, struct disk_header *h,
			const char *kms_key_id);

/* --- the attachment layer (core_device.c) --- */

/* "<prefix>-<disk id>", the name of the disk's dm device on this host. */
void core_dm_name(const struct agent *a, const char *disk_id, char *buf,
		  size_t len);
/*
 * Fill @o's attachment from device-mapper: the one place that asks.
 * -errno when device-mapper cannot say (then: not attached).
 */
int core_attachment(const struct agent *a, struct core_object *o);
/*
 * Which hosts hold @o: the backend's record when its stores are shared by
 * hosts, else this host's own dm device.  When the backend cannot say,
 * @o->attachments_error says why and only what this host knows is listed.
 */
void core_fill_attachments(const struct agent *a, struct core_object *o);
/* The backend could not say who holds @o (@err): only this host's own. */
void core_attachments_unknown(const struct agent *a, struct core_object *o,
			      int err);
/* Whether the backend says that this host holds @o. */
int core_held_here(const struct agent *a, const struct core_object *o);
/*
 * @o from the store @ref alone (its checked header and its dm device),
 * for rebuilding the catalog; "attached" is whether its device exists.
 */
int core_from_store(struct agent *a, const struct backend_ref *ref,
		    struct core_object *o);
/* Bring up the dm device of @o (header -> kernel probe -> backend -> KMS -> table). */
int core_map(struct op_ctx *ctx, struct core_object *o, int force);

/* --- shared by the verbs (core.c) --- */

/*
 * Record the store just made or rewritten for @h in the catalog (a new
 * one, @is_new, is removed again on failure); @out describes it.
 */
int core_record(struct op_ctx *ctx, const struct disk_header *h,
		enum backend_copy how, bool is_new, struct core_object *out);
/*
 * The id of the object an operation makes: ctx->new_id when the caller
 * chose one (it must start with "<prefix>-"), else a new random one.
 */
int core_object_id(struct op_ctx *ctx, const char *prefix, char *buf,
		   size_t len);

#endif
