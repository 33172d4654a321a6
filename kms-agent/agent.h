/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kms-agent: shared state of the daemon and the context of one operation.
 */
#ifndef ECSENC_AGENT_H
#define ECSENC_AGENT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "agent_ops.h"
#include "ecs_error.h"
#include "region_id.h"

struct audit_log;
struct backend_ops;
struct catalog;
struct credentials;
struct kms_client;

#define AGENT_MAX_REGIONS	64
#define AGENT_ENDPOINT_MAX	255	/* bytes of a KMS URL */

/* One region the agent serves (agent_regions.c configures them). */
struct agent_region {
	char id[REGION_ID_MAX + 1];	/* RegionId, as ECS spells it */
	char endpoint[AGENT_ENDPOINT_MAX + 1];	/* its KMS: https://HOST[:PORT] */
	struct kms_client *client;	/* created on first use, under kms_lock */
};

struct agent {
	const char *state_dir;		/* backing files + catalog.db */
	const char *socket_path;	/* where ecsenc-ctl finds us */
	const char *default_region;	/* when a request names none */
	const char *instance_id;	/* this host, in attachments */
	const char *dm_prefix;		/* dm devices are "<prefix>-<disk id>" */
	long kms_deadline_ms;		/* retry budget of one KMS use */
	struct credentials *creds;	/* secmem; first key is used */
	struct catalog *catalog;	/* SQLite catalog of every region */
	const struct backend_ops *backend;	/* where the stores live */
	struct audit_log *audit;	/* every KMS call, hash-chained */
	pthread_mutex_t kms_lock;	/* protects the regions' @client */
	size_t n_regions;		/* used entries of @regions */
	struct agent_region regions[AGENT_MAX_REGIONS];	/* a closed set */
};

/* KMS calls of one action that the KMS answered during one operation. */
struct op_kms_tally {
	const char *action;		/* "Decrypt"; lives as long as the op */
	int64_t calls;
};

#define OP_MAX_KMS_ACTIONS	8

/*
 * One management operation: a request from ecsenc-ctl, or a re-attach at
 * start (billed as AttachDisk).
 */
struct op_ctx {
	struct agent *agent;
	const char *op;			/* ECS name for billing: "AttachDisk" */
	const char *region;		/* region of the request */
	const char *kms_key;		/* CMK of the KMS call under way */
	bool kms_key_holds_data;	/* @kms_key wraps stored data: gone is lost */
	const char *object_id;		/* disk or snapshot, for the audit log */
	const char *request_id;		/* logged with every line about it */
	const char *new_id;		/* the id the caller chose for a new object */
	enum ecs_err code;		/* identity of the error, NONE: errno's class */
	char error[512];		/* plain-words error for the user */
	bool progress_on;		/* the caller asked for progress */
	int progress_fd;		/* where it goes, while @progress_on */
	long progress_sent_ms;		/* when the last progress went out */
	size_t n_kms_calls;		/* used entries of @kms_calls */
	struct op_kms_tally kms_calls[OP_MAX_KMS_ACTIONS]; /* to be billed */
};

/*
 * Count one answered KMS call of @action in @ctx (the KMS layer does);
 * op_bill() records the counts in the catalog once the operation is over
 * (the layer that owns the operation does).
 */
void op_count_kms_call(struct op_ctx *ctx, const char *action);
void op_bill(struct op_ctx *ctx);

/*
 * Progress of a long operation, for a caller that asked for it: @stage in
 * words, @done of @total (both 0: nothing to count).  At most a few a
 * second reach the caller; one that does not read them gets no more.
 */
void op_progress(struct op_ctx *ctx, const char *stage, uint64_t done,
		 uint64_t total);
/*
 * The operation this thread serves, for a layer that takes no context (a
 * backend's copy loop: backend_progress()); NULL outside one.
 */
struct op_ctx *op_current(void);
void op_set_current(struct op_ctx *ctx);

/* Record a user-facing error in @ctx and return @err (negative errno). */
int op_fail(struct op_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Record an error with its identity in the error table (ecs_error.h) too:
 * the site that knows the cause names it, and the reply carries its code.
 */
int op_fail_code(struct op_ctx *ctx, int err, enum ecs_err code,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Handlers of the protocol's ops (agent_ops.h declares their arguments);
 * each returns 0 or -errno + ctx->error.
 */
typedef int (*op_handler)(struct op_ctx *ctx, const struct agent_args *args,
			  struct json_object **result);

int op_create_disk(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_delete_disk(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_describe_disks(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_attach_disk(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_detach_disk(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_create_snapshot(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_delete_snapshot(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_describe_snapshots(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_reset_disk(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_reinit_disk(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_describe_kms_usage(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_kms_call(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_rebuild_catalog(struct op_ctx *, const struct agent_args *, struct json_object **);
/* ops_rewrap.c */
int op_rewrap_disk(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_rewrap_snapshot(struct op_ctx *, const struct agent_args *, struct json_object **);
/* ops_copy_snapshot.c */
int op_copy_snapshot(struct op_ctx *, const struct agent_args *, struct json_object **);
/* ops_default_encryption.c */
int op_enable_encryption_by_default(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_disable_encryption_by_default(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_describe_encryption_by_default(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_describe_default_kms_key(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_modify_default_kms_key(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_reset_default_kms_key(struct op_ctx *, const struct agent_args *, struct json_object **);
/* ops_audit.c */
int op_describe_audit_events(struct op_ctx *, const struct agent_args *, struct json_object **);
int op_verify_audit_log(struct op_ctx *, const struct agent_args *, struct json_object **);

#endif
