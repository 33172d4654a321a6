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
};

extern const struct ecs_store_ops store_sqlite_ops;
/* open()'s argument is a libpq URL (postgresql://...), not a directory. */
extern const struct ecs_store_ops store_pg_ops;

void task_release(struct ecs_task *t);

#endif
