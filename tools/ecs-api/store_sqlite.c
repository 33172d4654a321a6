// SPDX-License-Identifier: GPL-2.0
/*
 * The store (store.h) in SQLite: DIR/ecs-api.db, WAL, synchronous=FULL,
 * so that an answered request survives kill -9 and power loss alike.
 * Disks, snapshots and instances are mapped to rows by one column table
 * each; tasks, tokens and settings have their own statements.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_columns.h"

struct ecs_store {
	sqlite3 *db;
	pthread_mutex_t lock;		/* held from begin() to commit() */
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS tasks (id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" instance TEXT NOT NULL, request_id TEXT NOT NULL, resource TEXT NOT NULL,"
	" op INTEGER NOT NULL, request TEXT NOT NULL, state INTEGER NOT NULL,"
	" created_ms INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS tasks_open ON tasks(instance, state);"
	"CREATE TABLE IF NOT EXISTS tokens (account TEXT, action TEXT, token TEXT,"
	" hash TEXT NOT NULL, resource TEXT NOT NULL,"
	" PRIMARY KEY (account, action, token));"
	"CREATE TABLE IF NOT EXISTS default_encryption (account TEXT, region TEXT,"
	" enabled INTEGER NOT NULL, kms_key_id TEXT NOT NULL,"
	" PRIMARY KEY (account, region));"
	"CREATE TABLE IF NOT EXISTS attachments (disk_id TEXT NOT NULL,"
	" instance TEXT NOT NULL, device TEXT NOT NULL, attached_at INTEGER NOT NULL,"
	" state INTEGER NOT NULL, PRIMARY KEY (disk_id, instance));";

static const char audit_schema[] =
	"CREATE TABLE IF NOT EXISTS audit_records (instance TEXT NOT NULL,"
	" account TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL,"
	" prev_hash TEXT NOT NULL, line TEXT NOT NULL, received_ms INTEGER NOT NULL,"
	" PRIMARY KEY (instance, seq));"
	"CREATE TABLE IF NOT EXISTS audit_findings (instance TEXT NOT NULL,"
	" account TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL,"
	" reason TEXT NOT NULL, line TEXT NOT NULL, found_ms INTEGER NOT NULL,"
	" PRIMARY KEY (instance, seq, hash));";

static const char outcome_schema[] =
	"CREATE TABLE IF NOT EXISTS task_outcomes (task_id INTEGER PRIMARY KEY,"
	" account TEXT NOT NULL, region TEXT NOT NULL, action TEXT NOT NULL,"
	" resource TEXT NOT NULL, failed INTEGER NOT NULL, code TEXT NOT NULL,"
	" message TEXT NOT NULL, created_ms INTEGER NOT NULL,"
	" finished_ms INTEGER NOT NULL);";

static int db_err(struct ecs_store *s, const char *what)
{
	log_err("store: %s: %s", what, sqlite3_errmsg(s->db));
	return -EIO;
}

static int exec(struct ecs_store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_err("store: %s: %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

static int create_table(struct ecs_store *s, const char *table,
			const struct column *cols)
{
	char sql[2048];
	size_t n = (size_t)snprintf(sql, sizeof(sql),
				    "CREATE TABLE IF NOT EXISTS %s (", table);

	for (const struct column *c = cols; c->name; c++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s %s%s%s",
				      c->name, c->type == COL_TEXT ? "TEXT" : "INTEGER",
				      c == cols ? " PRIMARY KEY" : "",
				      c[1].name ? ", " : ");");
	if (n >= sizeof(sql))
		return -ENAMETOOLONG;
	return exec(s, sql);
}

/* Columns added since a store was made (instances.backend) are added to it. */
static int add_missing_columns(struct ecs_store *s, const char *table,
			       const struct column *cols)
{
	char sql[256];
	sqlite3_stmt *st;

	for (const struct column *c = cols; c->name; c++) {
		snprintf(sql, sizeof(sql), "SELECT %s FROM %s LIMIT 0", c->name, table);
		if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
			sqlite3_finalize(st);
			continue;
		}
		snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN %s %s", table,
			 c->name, c->type == COL_TEXT ? "TEXT" : "INTEGER");
		if (exec(s, sql) < 0)
			return -EIO;
		log_info("store: added column %s.%s", table, c->name);
	}
	return 0;
}

/*
 * A store of before the attachments table kept one attachment in the
 * disk's row (instance, device): it moves to the table, once.
 */
static int move_disk_attachments(struct ecs_store *s)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "BEGIN IMMEDIATE;"
		 "INSERT INTO attachments (disk_id, instance, device, attached_at, state)"
		 " SELECT id, instance, device, attached_at,"
		 " CASE status WHEN %d THEN %d WHEN %d THEN %d ELSE %d END"
		 " FROM disks WHERE instance != '' AND NOT EXISTS (SELECT 1 FROM"
		 " attachments WHERE attachments.disk_id = disks.id);"
		 "UPDATE disks SET instance = '', device = '' WHERE instance != '';"
		 "COMMIT;",
		 DISK_ATTACHING, ATTACHMENT_ATTACHING, DISK_DETACHING,
		 ATTACHMENT_DETACHING, ATTACHMENT_IN_USE);
	if (exec(s, sql) < 0) {
		exec(s, "ROLLBACK");
		return -EIO;
	}
	return 0;
}

static int sq_open(const char *data_dir, struct ecs_store **out)
{
	struct ecs_store *s = calloc(1, sizeof(*s));
	char path[4096];
	int r;

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	snprintf(path, sizeof(path), "%s/ecs-api.db", data_dir);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK) {
		log_err("store: cannot open %s: %s", path,
			s->db ? sqlite3_errmsg(s->db) : "no memory");
		r = -EIO;
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	r = exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
	if (!r)
		r = exec(s, schema);
	if (!r)
		r = exec(s, audit_schema);
	if (!r)
		r = exec(s, outcome_schema);
	if (!r)
		r = create_table(s, "disks", disk_cols);
	if (!r)
		r = create_table(s, "snapshots", snapshot_cols);
	if (!r)
		r = create_table(s, "instances", instance_cols);
	if (!r)
		r = add_missing_columns(s, "instances", instance_cols);
	if (!r)
		r = move_disk_attachments(s);
	if (r)
		goto fail;
	*out = s;
	return 0;
fail:
	sqlite3_close(s->db);
	free(s);
	return r;
}

static void sq_close(struct ecs_store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static int sq_begin(struct ecs_store *s)
{
	pthread_mutex_lock(&s->lock);
	if (exec(s, "BEGIN IMMEDIATE") < 0) {
		pthread_mutex_unlock(&s->lock);
		return -EIO;
	}
	return 0;
}

static int sq_commit(struct ecs_store *s)
{
	int r = exec(s, "COMMIT");

	if (r < 0)
		exec(s, "ROLLBACK");
	pthread_mutex_unlock(&s->lock);
	return r;
}

static void sq_rollback(struct ecs_store *s)
{
	exec(s, "ROLLBACK");
	pthread_mutex_unlock(&s->lock);
}

static sqlite3_stmt *prepare(struct ecs_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_err(s, sql);
		return NULL;
	}
	return st;
}

/* Run a statement that returns no rows. */
static int step_done(struct ecs_store *s, sqlite3_stmt *st)
{
	int rc = st ? sqlite3_step(st) : SQLITE_ERROR;

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_err(s, "write");
}

/* Rows of a column table. */

static int row_put(struct ecs_store *s, const char *table,
		   const struct column *cols, const void *obj)
{
	char sql[2048], marks[256] = "";
	size_t n = (size_t)snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO %s (", table);
	sqlite3_stmt *st;
	int i = 0;

	for (const struct column *c = cols; c->name; c++, i++) {
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s%s", i ? ", " : "", c->name);
		strcat(marks, i ? ", ?" : "?");
	}
	snprintf(sql + n, sizeof(sql) - n, ") VALUES (%s)", marks);
	st = prepare(s, sql);
	if (!st)
		return -EIO;
	i = 1;
	for (const struct column *c = cols; c->name; c++, i++) {
		const char *p = (const char *)obj + c->offset;

		switch (c->type) {
		case COL_TEXT:
			sqlite3_bind_text(st, i, p, -1, SQLITE_STATIC);
			break;
		case COL_INT64:
			sqlite3_bind_int64(st, i, *(const int64_t *)p);
			break;
		case COL_BOOL:
			sqlite3_bind_int(st, i, *(const bool *)p);
			break;
		case COL_ENUM:
		case COL_INT:
			sqlite3_bind_int(st, i, *(const int *)p);
			break;
		}
	}
	return step_done(s, st);
}

static void row_read(sqlite3_stmt *st, const struct column *cols, void *obj)
{
	int i = 0;

	for (const struct column *c = cols; c->name; c++, i++) {
		char *p = (char *)obj + c->offset;

		switch (c->type) {
		case COL_TEXT: {
			const unsigned char *t = sqlite3_column_text(st, i);

			snprintf(p, c->size, "%s", t ? (const char *)t : "");
			break;
		}
		case COL_INT64:
			*(int64_t *)p = sqlite3_column_int64(st, i);
			break;
		case COL_BOOL:
			*(bool *)p = sqlite3_column_int(st, i) != 0;
			break;
		case COL_ENUM:
		case COL_INT:
			*(int *)p = sqlite3_column_int(st, i);
			break;
		}
	}
}

static sqlite3_stmt *select_rows(struct ecs_store *s, const char *table,
				 const struct column *cols, const char *where)
{
	char sql[2048];
	size_t n = (size_t)snprintf(sql, sizeof(sql), "SELECT ");

	for (const struct column *c = cols; c->name; c++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s%s", c->name,
				      c[1].name ? ", " : "");
	snprintf(sql + n, sizeof(sql) - n, " FROM %s WHERE %s ORDER BY id", table,
		 where);
	return prepare(s, sql);
}

static int row_get(struct ecs_store *s, const char *table,
		   const struct column *cols, const char *id, void *obj)
{
	sqlite3_stmt *st = select_rows(s, table, cols, "id = ?");
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_read(st, cols, obj);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT :
	       db_err(s, "read");
}

static int row_list(struct ecs_store *s, const char *table,
		    const struct column *cols, const char *account,
		    size_t obj_size, int (*fn)(const void *, void *), void *arg)
{
	sqlite3_stmt *st = select_rows(s, table, cols,
				       account ? "account = ?" : "1");
	void *obj = malloc(obj_size);
	int rc, r = 0;

	if (!st || !obj) {
		sqlite3_finalize(st);
		free(obj);
		return -ENOMEM;
	}
	if (account)
		sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(obj, 0, obj_size);
		row_read(st, cols, obj);
		r = fn(obj, arg);
	}
	sqlite3_finalize(st);
	free(obj);
	return r;
}

static int row_delete(struct ecs_store *s, const char *table, const char *id)
{
	char sql[128];
	sqlite3_stmt *st;

	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = ?", table);
	st = prepare(s, sql);
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	return step_done(s, st);
}

static int sq_disk_put(struct ecs_store *s, const struct ecs_disk *d)
{
	return row_put(s, "disks", disk_cols, d);
}

static int sq_disk_get(struct ecs_store *s, const char *id, struct ecs_disk *d)
{
	memset(d, 0, sizeof(*d));
	return row_get(s, "disks", disk_cols, id, d);
}

static int sq_disk_delete(struct ecs_store *s, const char *id)
{
	return row_delete(s, "disks", id);
}

static int sq_disk_list(struct ecs_store *s, const char *account,
			disk_visit_fn fn, void *arg)
{
	return row_list(s, "disks", disk_cols, account, sizeof(struct ecs_disk),
			(int (*)(const void *, void *))fn, arg);
}

static int sq_disk_count_from(struct ecs_store *s, const char *snapshot_id)
{
	sqlite3_stmt *st = prepare(s, "SELECT count(*) FROM disks WHERE snapshot_id = ?");
	int n = -EIO;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, snapshot_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int sq_snapshot_put(struct ecs_store *s, const struct ecs_snapshot *sn)
{
	return row_put(s, "snapshots", snapshot_cols, sn);
}

static int sq_snapshot_get(struct ecs_store *s, const char *id,
			   struct ecs_snapshot *sn)
{
	memset(sn, 0, sizeof(*sn));
	return row_get(s, "snapshots", snapshot_cols, id, sn);
}

static int sq_snapshot_delete(struct ecs_store *s, const char *id)
{
	return row_delete(s, "snapshots", id);
}

static int sq_snapshot_list(struct ecs_store *s, const char *account,
			    snapshot_visit_fn fn, void *arg)
{
	return row_list(s, "snapshots", snapshot_cols, account,
			sizeof(struct ecs_snapshot),
			(int (*)(const void *, void *))fn, arg);
}

static int sq_instance_put(struct ecs_store *s, const struct ecs_instance *i)
{
	return row_put(s, "instances", instance_cols, i);
}

static int sq_instance_get(struct ecs_store *s, const char *id,
			   struct ecs_instance *i)
{
	memset(i, 0, sizeof(*i));
	return row_get(s, "instances", instance_cols, id, i);
}

static int sq_instance_list(struct ecs_store *s, const char *account,
			    instance_visit_fn fn, void *arg)
{
	return row_list(s, "instances", instance_cols, account,
			sizeof(struct ecs_instance),
			(int (*)(const void *, void *))fn, arg);
}

static int sq_task_add(struct ecs_store *s, struct ecs_task *t)
{
	sqlite3_stmt *st = prepare(s, "INSERT INTO tasks (instance, request_id,"
				   " resource, op, request, state, created_ms)"
				   " VALUES (?, ?, ?, ?, ?, ?, ?)");
	int r;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, t->instance, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->request_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->resource, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, t->op);
	sqlite3_bind_text(st, 5, t->request, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, t->state);
	sqlite3_bind_int64(st, 7, t->created_ms);
	r = step_done(s, st);
	if (!r)
		t->id = sqlite3_last_insert_rowid(s->db);
	return r;
}

#define TASK_COLS "id, instance, request_id, resource, op, request, state, created_ms"

static int task_read(sqlite3_stmt *st, struct ecs_task *t)
{
	const char *text;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	snprintf(t->instance, sizeof(t->instance), "%s", sqlite3_column_text(st, 1));
	snprintf(t->request_id, sizeof(t->request_id), "%s", sqlite3_column_text(st, 2));
	snprintf(t->resource, sizeof(t->resource), "%s", sqlite3_column_text(st, 3));
	t->op = sqlite3_column_int(st, 4);
	text = (const char *)sqlite3_column_text(st, 5);
	t->request = strdup(text ? text : "{}");
	t->state = sqlite3_column_int(st, 6);
	t->created_ms = sqlite3_column_int64(st, 7);
	return t->request ? 0 : -ENOMEM;
}

void task_release(struct ecs_task *t)
{
	free(t->request);
	t->request = NULL;
}

static int sq_task_get(struct ecs_store *s, int64_t id, struct ecs_task *t)
{
	sqlite3_stmt *st = prepare(s, "SELECT " TASK_COLS " FROM tasks WHERE id = ?");
	int rc, r;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	r = rc == SQLITE_ROW ? task_read(st, t) : rc == SQLITE_DONE ? -ENOENT :
	    db_err(s, "task");
	sqlite3_finalize(st);
	return r;
}

static int sq_task_list_open(struct ecs_store *s, const char *instance,
			     task_visit_fn fn, void *arg)
{
	sqlite3_stmt *st = prepare(s, "SELECT " TASK_COLS " FROM tasks"
				   " WHERE instance = ? AND state != ? ORDER BY id");
	struct ecs_task t;
	int r = 0;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, instance, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, TASK_DONE);
	while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
		r = task_read(st, &t);
		if (r == 0)
			r = fn(&t, arg);
		task_release(&t);
	}
	sqlite3_finalize(st);
	return r;
}

static int sq_task_set_state(struct ecs_store *s, int64_t id,
			     enum task_state state)
{
	sqlite3_stmt *st = prepare(s, "UPDATE tasks SET state = ? WHERE id = ?");

	if (!st)
		return -EIO;
	sqlite3_bind_int(st, 1, state);
	sqlite3_bind_int64(st, 2, id);
	return step_done(s, st);
}

static int sq_token_get(struct ecs_store *s, const char *account,
			const char *action, const char *token,
			char hash[STORE_HASH_LEN + 1], char resource[ECS_ID_MAX])
{
	sqlite3_stmt *st = prepare(s, "SELECT hash, resource FROM tokens"
				   " WHERE account = ? AND action = ? AND token = ?");
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, token, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(hash, STORE_HASH_LEN + 1, "%s", sqlite3_column_text(st, 0));
		snprintf(resource, ECS_ID_MAX, "%s", sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT :
	       db_err(s, "token");
}

static int sq_token_put(struct ecs_store *s, const char *account,
			const char *action, const char *token,
			const char *hash, const char *resource)
{
	sqlite3_stmt *st = prepare(s, "INSERT INTO tokens (account, action, token,"
				   " hash, resource) VALUES (?, ?, ?, ?, ?)");

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, token, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, resource, -1, SQLITE_STATIC);
	return step_done(s, st);
}

static int sq_default_get(struct ecs_store *s, const char *account,
			  const char *region, struct ecs_default_encryption *out)
{
	sqlite3_stmt *st = prepare(s, "SELECT enabled, kms_key_id FROM default_encryption"
				   " WHERE account = ? AND region = ?");
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->enabled = sqlite3_column_int(st, 0) != 0;
		snprintf(out->kms_key_id, sizeof(out->kms_key_id), "%s",
			 sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_err(s, "settings");
}

static int sq_default_put(struct ecs_store *s, const char *account,
			  const char *region,
			  const struct ecs_default_encryption *in)
{
	sqlite3_stmt *st = prepare(s, "INSERT OR REPLACE INTO default_encryption"
				   " (account, region, enabled, kms_key_id) VALUES (?, ?, ?, ?)");

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, in->enabled);
	sqlite3_bind_text(st, 4, in->kms_key_id, -1, SQLITE_STATIC);
	return step_done(s, st);
}

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, size, "%s", t ? (const char *)t : "");
}

#define AUDIT_COLS "instance, account, seq, hash, prev_hash, line, received_ms"

static void audit_read(sqlite3_stmt *st, struct ecs_audit_record *r)
{
	memset(r, 0, sizeof(*r));
	copy_text(r->instance, sizeof(r->instance), st, 0);
	copy_text(r->account, sizeof(r->account), st, 1);
	r->seq = sqlite3_column_int64(st, 2);
	copy_text(r->hash, sizeof(r->hash), st, 3);
	copy_text(r->prev_hash, sizeof(r->prev_hash), st, 4);
	r->line = (const char *)sqlite3_column_text(st, 5);
	r->received_ms = sqlite3_column_int64(st, 6);
}

static int sq_audit_head(struct ecs_store *s, const char *instance,
			 struct ecs_audit_record *out)
{
	sqlite3_stmt *st = prepare(s, "SELECT " AUDIT_COLS " FROM audit_records"
				   " WHERE instance = ? ORDER BY seq DESC LIMIT 1");
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, instance, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		audit_read(st, out);
	out->line = NULL;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT :
	       db_err(s, "audit head");
}

static int sq_audit_hash(struct ecs_store *s, const char *instance, int64_t seq,
			 char hash[ECS_AUDIT_HASH_MAX + 1])
{
	sqlite3_stmt *st = prepare(s, "SELECT hash FROM audit_records"
				   " WHERE instance = ? AND seq = ?");
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, instance, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		copy_text(hash, ECS_AUDIT_HASH_MAX + 1, st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT :
	       db_err(s, "audit record");
}

static int sq_audit_put(struct ecs_store *s, const struct ecs_audit_record *r)
{
	sqlite3_stmt *st = prepare(s, "INSERT INTO audit_records (" AUDIT_COLS ")"
				   " VALUES (?, ?, ?, ?, ?, ?, ?)");

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, r->instance, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->account, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, r->seq);
	sqlite3_bind_text(st, 4, r->hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->prev_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->line, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, r->received_ms);
	return step_done(s, st);
}

static int sq_audit_list(struct ecs_store *s, const char *account,
			 const char *instance, int64_t after, size_t max,
			 audit_record_visit_fn fn, void *arg)
{
	sqlite3_stmt *st = prepare(s, "SELECT " AUDIT_COLS " FROM audit_records"
				   " WHERE account = ? AND instance = ? AND seq > ?"
				   " ORDER BY seq LIMIT ?");
	struct ecs_audit_record r;
	int rc = SQLITE_DONE, ret = 0;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, instance, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, after);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)max);
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		audit_read(st, &r);
		ret = fn(&r, arg);
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_err(s, "audit records");
	sqlite3_finalize(st);
	return ret;
}

static int sq_audit_finding_put(struct ecs_store *s,
				const struct ecs_audit_finding *f)
{
	sqlite3_stmt *st = prepare(s, "INSERT INTO audit_findings (instance, account,"
				   " seq, hash, reason, line, found_ms)"
				   " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, f->instance, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->account, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, f->seq);
	sqlite3_bind_text(st, 4, f->hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, f->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, f->line ? f->line : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, f->found_ms);
	return step_done(s, st);
}

static int sq_audit_finding_list(struct ecs_store *s, const char *account,
				 const char *instance,
				 audit_finding_visit_fn fn, void *arg)
{
	sqlite3_stmt *st = prepare(s, "SELECT instance, account, seq, hash, reason,"
				   " line, found_ms FROM audit_findings"
				   " WHERE account = ? AND instance = ? ORDER BY found_ms, seq");
	struct ecs_audit_finding f;
	int rc = SQLITE_DONE, ret = 0;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, instance, -1, SQLITE_STATIC);
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&f, 0, sizeof(f));
		copy_text(f.instance, sizeof(f.instance), st, 0);
		copy_text(f.account, sizeof(f.account), st, 1);
		f.seq = sqlite3_column_int64(st, 2);
		copy_text(f.hash, sizeof(f.hash), st, 3);
		copy_text(f.reason, sizeof(f.reason), st, 4);
		f.line = (const char *)sqlite3_column_text(st, 5);
		f.found_ms = sqlite3_column_int64(st, 6);
		ret = fn(&f, arg);
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_err(s, "audit findings");
	sqlite3_finalize(st);
	return ret;
}

static int sq_task_outcome_put(struct ecs_store *s,
			       const struct ecs_task_outcome *o)
{
	sqlite3_stmt *st = prepare(s, "INSERT INTO task_outcomes (task_id, account,"
				   " region, action, resource, failed, code, message,"
				   " created_ms, finished_ms)"
				   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, o->task_id);
	sqlite3_bind_text(st, 2, o->account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, o->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, o->action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, o->resource, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, o->failed);
	sqlite3_bind_text(st, 7, o->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, o->message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, o->created_ms);
	sqlite3_bind_int64(st, 10, o->finished_ms);
	return step_done(s, st);
}

static int sq_task_outcome_list(struct ecs_store *s, const char *account,
				task_outcome_visit_fn fn, void *arg)
{
	sqlite3_stmt *st = prepare(s, "SELECT task_id, account, region, action,"
				   " resource, failed, code, message, created_ms,"
				   " finished_ms FROM task_outcomes WHERE account = ?"
				   " ORDER BY task_id");
	struct ecs_task_outcome o;
	int rc = SQLITE_DONE, ret = 0;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&o, 0, sizeof(o));
		o.task_id = sqlite3_column_int64(st, 0);
		copy_text(o.account, sizeof(o.account), st, 1);
		copy_text(o.region, sizeof(o.region), st, 2);
		copy_text(o.action, sizeof(o.action), st, 3);
		copy_text(o.resource, sizeof(o.resource), st, 4);
		o.failed = sqlite3_column_int(st, 5) != 0;
		copy_text(o.code, sizeof(o.code), st, 6);
		copy_text(o.message, sizeof(o.message), st, 7);
		o.created_ms = sqlite3_column_int64(st, 8);
		o.finished_ms = sqlite3_column_int64(st, 9);
		ret = fn(&o, arg);
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_err(s, "task outcomes");
	sqlite3_finalize(st);
	return ret;
}

static int sq_attachment_delete(struct ecs_store *s, const char *disk_id,
				const char *instance)
{
	sqlite3_stmt *st = prepare(s, "DELETE FROM attachments"
				   " WHERE disk_id = ? AND instance = ?");

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, disk_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, instance, -1, SQLITE_STATIC);
	return step_done(s, st);
}

static int sq_attachment_list(struct ecs_store *s, const char *disk_id,
			      attachment_visit_fn fn, void *arg)
{
	sqlite3_stmt *st = prepare(s, "SELECT disk_id, instance, device, attached_at,"
				   " state FROM attachments WHERE disk_id = ?"
				   " ORDER BY instance");
	struct ecs_attachment a;
	int rc, r = 0;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, disk_id, -1, SQLITE_STATIC);
	while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		snprintf(a.disk_id, sizeof(a.disk_id), "%s", sqlite3_column_text(st, 0));
		snprintf(a.instance, sizeof(a.instance), "%s", sqlite3_column_text(st, 1));
		snprintf(a.device, sizeof(a.device), "%s", sqlite3_column_text(st, 2));
		a.attached_at = sqlite3_column_int64(st, 3);
		a.state = sqlite3_column_int(st, 4);
		r = fn(&a, arg);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = db_err(s, "attachments");
	sqlite3_finalize(st);
	return r;
}

static int sq_attachment_put(struct ecs_store *s, const struct ecs_attachment *a)
{
	sqlite3_stmt *st;
	int r;

	/* Delete, then insert: plain SQL that every database speaks. */
	r = sq_attachment_delete(s, a->disk_id, a->instance);
	if (r < 0)
		return r;
	st = prepare(s, "INSERT INTO attachments (disk_id, instance, device,"
		     " attached_at, state) VALUES (?, ?, ?, ?, ?)");
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, a->disk_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->instance, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, a->attached_at);
	sqlite3_bind_int(st, 5, a->state);
	return step_done(s, st);
}

const struct ecs_store_ops store_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.disk_put = sq_disk_put,
	.disk_get = sq_disk_get,
	.disk_delete = sq_disk_delete,
	.disk_list = sq_disk_list,
	.disk_count_from = sq_disk_count_from,
	.snapshot_put = sq_snapshot_put,
	.snapshot_get = sq_snapshot_get,
	.snapshot_delete = sq_snapshot_delete,
	.snapshot_list = sq_snapshot_list,
	.instance_put = sq_instance_put,
	.instance_get = sq_instance_get,
	.instance_list = sq_instance_list,
	.task_add = sq_task_add,
	.task_get = sq_task_get,
	.task_list_open = sq_task_list_open,
	.task_set_state = sq_task_set_state,
	.token_get = sq_token_get,
	.token_put = sq_token_put,
	.default_encryption_get = sq_default_get,
	.default_encryption_put = sq_default_put,
	.audit_head = sq_audit_head,
	.audit_hash = sq_audit_hash,
	.audit_put = sq_audit_put,
	.audit_list = sq_audit_list,
	.audit_finding_put = sq_audit_finding_put,
	.audit_finding_list = sq_audit_finding_list,
	.task_outcome_put = sq_task_outcome_put,
	.task_outcome_list = sq_task_outcome_list,
	.attachment_put = sq_attachment_put,
	.attachment_delete = sq_attachment_delete,
	.attachment_list = sq_attachment_list,
};
