/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The catalog: every disk and snapshot of every region, and the KMS call
 * counts by region and management operation, in one SQLite database.  The
 * headers on the backing stores are the truth; the catalog can be rebuilt
 * from them (attached state and usage counts excepted).  Safe to use from
 * any thread; no lock is held while a visitor of catalog_list runs.
 */
#ifndef ECSENC_CATALOG_H
#define ECSENC_CATALOG_H

#include <stdint.h>

#include "region_id.h"

struct catalog;

enum catalog_kind { CATALOG_DISK, CATALOG_SNAPSHOT };

struct catalog_object {
	enum catalog_kind kind;
	char id[32];			/* d-... / s-... */
	char region[REGION_ID_MAX + 1];
	char category[32];
	uint64_t size;			/* bytes the user sees */
	int encrypted;
	char kms_key_id[128];
	char lineage_id[32];
	char source_id[32];		/* disk: snapshot it came from */
	char path[512];			/* backing file */
	int attached;			/* disk: should be attached */
	uint64_t created;		/* unix seconds */
	char copy_method[16];		/* how its data came: reflink, copy, clone, rollback, none */
	char kms_key_version[64];	/* CMK version of the wrapped key */
};

/*
 * Open the catalog at @path.  One that is not a database or is damaged is
 * moved aside (<path>.corrupt-<time>, a warning logged) and started anew;
 * catalog_is_new() then says it must be rebuilt from the stores' headers.
 */
int catalog_open(const char *path, struct catalog **out);
/* 1 when the catalog started empty: new, emptied, or set aside. */
int catalog_is_new(const struct catalog *c);
void catalog_close(struct catalog *c);

int catalog_put(struct catalog *c, const struct catalog_object *o);
/* -ENOENT when no such object in that region. */
int catalog_get(struct catalog *c, const char *region, const char *id,
		struct catalog_object *o);
/* The same in any region. */
int catalog_find(struct catalog *c, const char *id, struct catalog_object *o);
int catalog_delete(struct catalog *c, const char *id);
int catalog_set_attached(struct catalog *c, const char *id, int attached);
int catalog_clear_objects(struct catalog *c);

/* Visit objects of @kind in @region (NULL: every region), oldest first. */
typedef int (*catalog_visit_fn)(const struct catalog_object *o, void *arg);
int catalog_list(struct catalog *c, enum catalog_kind kind, const char *region,
		 catalog_visit_fn fn, void *arg);

/* Add @calls KMS calls of @action made by @operation in @region. */
int catalog_count_kms_calls(struct catalog *c, const char *region,
			    const char *operation, const char *action,
			    int64_t calls);
typedef int (*catalog_usage_fn)(const char *region, const char *operation,
				const char *action, int64_t calls, void *arg);
int catalog_list_usage(struct catalog *c, catalog_usage_fn fn, void *arg);

/*
 * A region's encryption-by-default settings (ECS
 * EnableDiskEncryptionByDefault, ModifyDiskDefaultKMSKeyId): in no
 * header, so kept in the database and in a checksummed file beside it
 * (defaults_file.h); a catalog rebuilt or set aside keeps them.
 */
struct catalog_defaults {
	int encrypt_by_default;		/* every new disk is encrypted */
	char kms_key_id[128];		/* "": the service key */
};

/*
 * Zeros when the region has none yet; -ENODATA when they are unknown
 * (lost with the catalog and its settings file, until put again).
 */
int catalog_get_defaults(struct catalog *c, const char *region,
			 struct catalog_defaults *d);
int catalog_put_defaults(struct catalog *c, const char *region,
			 const struct catalog_defaults *d);

/*
 * The head of the audit trail (audit.h), kept apart from the log so that
 * a log cut short, deleted or replaced is found after a restart too.
 * Truth, not in any header: a rebuilt catalog keeps it.
 */
struct catalog_audit_head {
	int64_t base_seq;		/* the log file starts after this Seq */
	char base_hash[65];		/* ... whose Hash is this (zeros: none) */
	int64_t seq;			/* the last record written */
	char hash[65];			/* its Hash */
	char finding[256];		/* what the agent found wrong; "": nothing */
};

/* -ENOENT when there is none yet. */
int catalog_get_audit_head(struct catalog *c, struct catalog_audit_head *h);
/* -ENOSPC when the file system is full, -EIO on other failures. */
int catalog_put_audit_head(struct catalog *c, const struct catalog_audit_head *h);

#endif
