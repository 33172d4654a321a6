/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The server's state behind one interface: disks, snapshots, instances,
 * tasks, ClientTokens and encryption by default.  (The nonces of signed
 * requests are nonces.h's, as the KMS emulator keeps them, unless the
 * store keeps them: nonce_use.)  store_sqlite.c keeps it in SQLite (WAL)
 * under --data-dir; store_pg.c in PostgreSQL (--database), shared by
 * several servers.
 *
 * Every change happens between begin() and commit() (or rollback()):
 * begin() also takes the store's lock, so an action's checks and its
 * changes are one transaction.  No call waits for an agent.
 */
#ifndef ECS_API_STORE_H
#define ECS_API_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "model.h"

struct ecs_store;

typedef int (*disk_visit_fn)(const struct ecs_disk *d, void *arg);
typedef int (*snapshot_visit_fn)(const struct ecs_snapshot *s, void *arg);
typedef int (*instance_visit_fn)(const struct ecs_instance *i, void *arg);
typedef int (*task_visit_fn)(const struct ecs_task *t, void *arg);
typedef int (*audit_record_visit_fn)(const struct ecs_audit_record *r, void *arg);
typedef int (*audit_finding_visit_fn)(const struct ecs_audit_finding *f, void *arg);
typedef int (*task_outcome_visit_fn)(const struct ecs_task_outcome *o, void *arg);
typedef int (*attachment_visit_fn)(const struct ecs_attachment *a, void *arg);

/* A console session as a store keeps it: never its id, only the id's hash. */
struct ecs_console_session {
	char id_hash[65];		/* hex SHA-256 of the session id */
	char csrf[65];
	char access_key_id[128];
	char account[64];
	int64_t last_used;		/* seconds since the epoch */
};

#define STORE_HASH_LEN 64	/* hex SHA-256 of a request's parameters */

struct ecs_store_ops {
	const char *name;
	int (*open)(const char *data_dir, struct ecs_store **out);
	void (*close)(struct ecs_store *s);

	int (*begin)(struct ecs_store *s);
	int (*commit)(struct ecs_store *s);
	void (*rollback)(struct ecs_store *s);

	/* get: 0 or -ENOENT.  list: every row of @account in id order. */
	int (*disk_put)(struct ecs_store *s, const struct ecs_disk *d);
	int (*disk_get)(struct ecs_store *s, const char *id, struct ecs_disk *d);
	int (*disk_delete)(struct ecs_store *s, const char *id);
	int (*disk_list)(struct ecs_store *s, const char *account,
			 disk_visit_fn fn, void *arg);
	/* Disks made from snapshot @id: >= 0. */
	int (*disk_count_from)(struct ecs_store *s, const char *snapshot_id);

	int (*snapshot_put)(struct ecs_store *s, const struct ecs_snapshot *sn);
	int (*snapshot_get)(struct ecs_store *s, const char *id,
			    struct ecs_snapshot *sn);
	int (*snapshot_delete)(struct ecs_store *s, const char *id);
	int (*snapshot_list)(struct ecs_store *s, const char *account,
			     snapshot_visit_fn fn, void *arg);

	int (*instance_put)(struct ecs_store *s, const struct ecs_instance *i);
	int (*instance_get)(struct ecs_store *s, const char *id,
			    struct ecs_instance *i);
	int (*instance_list)(struct ecs_store *s, const char *account,
			     instance_visit_fn fn, void *arg);

	/* Sets t->id. */
	int (*task_add)(struct ecs_store *s, struct ecs_task *t);
	/* t->request is malloc()ed: task_release() it. */
	int (*task_get)(struct ecs_store *s, int64_t id, struct ecs_task *t);
	/* The tasks of @instance not yet done, oldest first. */
	int (*task_list_open)(struct ecs_store *s, const char *instance,
			      task_visit_fn fn, void *arg);
	int (*task_set_state)(struct ecs_store *s, int64_t id,
			      enum task_state state);

	/* ClientToken: 0 and the first request's hash and resource, or -ENOENT. */
	int (*token_get)(struct ecs_store *s, const char *account,
			 const char *action, const char *token,
			 char hash[STORE_HASH_LEN + 1], char resource[ECS_ID_MAX]);
	int (*token_put)(struct ecs_store *s, const char *account,
			 const char *action, const char *token,
			 const char *hash, const char *resource);

	/* Off and the service key when never set. */
	int (*default_encryption_get)(struct ecs_store *s, const char *account,
				      const char *region,
				      struct ecs_default_encryption *out);
	int (*default_encryption_put)(struct ecs_store *s, const char *account,
				      const char *region,
				      const struct ecs_default_encryption *in);

	/*
	 * Instances' audit trails (NULL in a store without them: the audit
	 * actions answer ServiceUnavailable, as the task ones do without
	 * task_outcome_*, and reports keep no outcome).  head: @instance's
	 * last record (line NULL), or -ENOENT.  hash: the Hash of its record
	 * @seq, or -ENOENT.
	 * list: @account's records of @instance after Seq @after, in Seq
	 * order, at most @max (r->line lives for the call of @fn).
	 */
	int (*audit_head)(struct ecs_store *s, const char *instance,
			  struct ecs_audit_record *out);
	int (*audit_hash)(struct ecs_store *s, const char *instance, int64_t seq,
			  char hash[ECS_AUDIT_HASH_MAX + 1]);
	int (*audit_put)(struct ecs_store *s, const struct ecs_audit_record *r);
	int (*audit_list)(struct ecs_store *s, const char *account,
			  const char *instance, int64_t after, size_t max,
			  audit_record_visit_fn fn, void *arg);
	/* A refused record; the same one (instance, seq, hash) is kept once. */
	int (*audit_finding_put)(struct ecs_store *s,
				 const struct ecs_audit_finding *f);
	/* @account's findings of @instance, oldest first. */
	int (*audit_finding_list)(struct ecs_store *s, const char *account,
				  const char *instance,
				  audit_finding_visit_fn fn, void *arg);

	/* What became of the tasks: put once per task; list @account's, by id. */
	int (*task_outcome_put)(struct ecs_store *s,
				const struct ecs_task_outcome *o);
	int (*task_outcome_list)(struct ecs_store *s, const char *account,
				 task_outcome_visit_fn fn, void *arg);

	/*
	 * The attachments of disks: one row per (disk, instance), the set
	 * that DescribeDisks' Attachments shows.  put inserts or replaces
	 * the row of (a->disk_id, a->instance); delete of a row that is not
	 * there is 0; list: the rows of @disk_id in instance order.
	 */
	int (*attachment_put)(struct ecs_store *s, const struct ecs_attachment *a);
	int (*attachment_delete)(struct ecs_store *s, const char *disk_id,
				 const char *instance);
	int (*attachment_list)(struct ecs_store *s, const char *disk_id,
			       attachment_visit_fn fn, void *arg);

	/*
	 * Optional (NULL: the store is one server's).  nonce_use: as
	 * nonce_store_use() (nonces.h), outside any transaction, for every
	 * server of the store; @quota: unexpired nonces of one access key.  watch_tasks: call @fn(instance) from a thread
	 * of the store when any server commits a task for @instance, and
	 * @fn(NULL) when some may have been missed (a reconnection).
	 */
	int (*nonce_use)(struct ecs_store *s, const char *access_key,
			 const char *nonce, time_t expire, time_t now, long quota);
	int (*watch_tasks)(struct ecs_store *s,
			   void (*fn)(const char *instance, void *arg), void *arg);

	/*
	 * Optional (NULL: console sessions live in one server's memory,
	 * session.h): the sessions of every server of the store, each in
	 * its own transaction.  put: a new session; those last used before
	 * @used_before go.  touch: the session of @id_hash if used since
	 * @used_before, its last use set to @now: 0, or -ENOENT.  delete:
	 * 0 whether or not it was there.
	 */
	int (*console_session_put)(struct ecs_store *s,
				   const struct ecs_console_session *c,
				   int64_t used_before);
	int (*console_session_touch)(struct ecs_store *s, const char *id_hash,
				     int64_t now, int64_t used_before,
				     struct ecs_console_session *out);
	int (*console_session_delete)(struct ecs_store *s, const char *id_hash);
};

extern const struct ecs_store_ops store_sqlite_ops;
/* open()'s argument is a libpq URL (postgresql://...), not a directory. */
extern const struct ecs_store_ops store_pg_ops;

void task_release(struct ecs_task *t);

#endif
