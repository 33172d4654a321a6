/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lifecycle core: the one module that moves a disk or snapshot
 * between its states, keeping its header (on the store), its catalog row
 * and its dm device in step, through the storage backend.  This is what
 * the operations (ops_*.c) and start-up (main.c) call; its layers below
 * (core_internal.h) are the core's own.
 *
 * Every call takes the operation's context (agent.h) for errors in plain
 * words and KMS billing, and fills a struct core_object that render.c
 * turns into the ECS-style description.  Callers hold the object's lock
 * (object_lock.h) for calls that change it.
 */
#ifndef ECSENC_CORE_H
#define ECSENC_CORE_H

#include "agent.h"
#include "backend.h"
#include "catalog.h"
#include "backend.h"
#include "disk_header.h"

struct core_object {
	struct catalog_object row;	/* what the catalog holds */
	int attached;			/* disk: its dm device exists here */
	char device[128];		/* disk: /dev/mapper/ecsenc-<id> */
	int in_use;			/* disk: attached on some host */
	int n_attachments;		/* disk: hosts that hold it */
	struct backend_attachment attachments[BACKEND_MAX_ATTACHMENTS];
	/* disk: why the backend could not say who holds it (0, "": it did) */
	int attachments_errno;
	char attachments_error[BACKEND_ERROR_TEXT_MAX];
};

/* The new disk a create-disk asks for. */
struct core_new_disk {
	uint64_t size;			/* 0: the snapshot's */
	const char *category;		/* NULL: the snapshot's */
	int encrypted;
	const char *kms_key_id;		/* NULL: the service key */
	const char *snapshot_id;	/* NULL: an empty disk */
};


int core_get(struct op_ctx *ctx, enum catalog_kind kind, const char *id,
	     struct core_object *o);
typedef int (*core_visit_fn)(const struct core_object *o, void *arg);
int core_list(struct op_ctx *ctx, enum catalog_kind kind, core_visit_fn fn,
	      void *arg);

int core_create_disk(struct op_ctx *ctx, const struct core_new_disk *req,
		     struct core_object *out);
/* @force: fence the hosts that hold it (a backend shared by hosts). */
int core_attach(struct op_ctx *ctx, const char *disk_id, int force,
		struct core_object *out);
int core_detach(struct op_ctx *ctx, const char *disk_id,
		struct core_object *out);
int core_snapshot(struct op_ctx *ctx, const char *disk_id,
		  struct core_object *out);
int core_reset(struct op_ctx *ctx, const char *disk_id,
	       const char *snapshot_id, struct core_object *out);
int core_reinit(struct op_ctx *ctx, const char *disk_id,
		struct core_object *out);
int core_delete(struct op_ctx *ctx, enum catalog_kind kind, const char *id,
		int force, struct core_object *out);

/* Rebuild the catalog from the backend's stores; objects in @count. */
int core_rebuild_catalog(struct agent *a, int *count);
/*
 * At start, before anything is served: make the catalog, the stores and
 * the dm devices agree after a crash, logging what is cleaned up.
 */
int core_reconcile(struct agent *a);
/*
 * Re-attach what was attached when the agent stopped, disks in parallel;
 * wait at most @budget_ms.  Returns how many are still under way.
 */
int core_reattach_all(struct agent *a, long budget_ms);

/*
 * The object ctx->new_id names, if an earlier run of the same request
 * made it (in @region, NULL: the request's): 0 and @o, or -ENOENT.
 */
int core_made_before(struct op_ctx *ctx, enum catalog_kind kind,
		     const char *region, struct core_object *o);

/*
 * Key lifecycle (core_keys.c).  Rewrap: the wrapped data key of @id to the
 * current version of its CMK, or under @new_key of the same region (NULL:
 * the same CMK); the data key, the data and an attachment stay as they
 * are; both header copies are rewritten.
 */
int core_rewrap(struct op_ctx *ctx, enum catalog_kind kind, const char *id,
		const char *new_key, struct core_object *out);

/* What copy-snapshot asks for. */
struct core_snapshot_copy {
	const char *snapshot_id;
	const char *kms_key_id;		/* NULL: the source's (same region) or
					 * the destination's service key */
	const char *region;		/* NULL: the source's */
	int encrypted;			/* the copy must be encrypted */
};

/*
 * A copy of a snapshot with a new lineage: in its region under another
 * CMK (ReEncrypt) or in another region (unwrapped here, wrapped again
 * there with KMS Encrypt); the data is copied as it is.
 */
int core_copy_snapshot(struct op_ctx *ctx, const struct core_snapshot_copy *req,
		       struct core_object *out);


#endif
